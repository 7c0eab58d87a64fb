/**
 * A failure the caller caused, raised by the services: the API turns `kind`
 * into a 4xx (not-found 404, conflict 409, invalid 422, forbidden 403).
 * @example throw new DomainError('not-found', `no job ${id}`);
 */
export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly kind: 'not-found' | 'conflict' | 'invalid' | 'forbidden',
    message: string,
  ) {
    super(message);
  }
}
