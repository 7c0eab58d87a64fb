/**
 * A failure the caller caused, raised by the services: the API turns `kind`
 * into a 4xx (not-found 404, conflict 409, invalid 422, forbidden 403,
 * unauthorized 401: a credential that is no longer good, e.g. a spent enrollment token).
 * @example throw new DomainError('not-found', `no job ${id}`);
 */
export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly kind: 'not-found' | 'conflict' | 'invalid' | 'forbidden' | 'unauthorized',
    message: string,
  ) {
    super(message);
  }
}
