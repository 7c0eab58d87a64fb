/**
 * The arrows between rooms, as one table, and a reader of every import in a
 * source file (TypeScript's own parser: static imports, `import type`,
 * `export ... from`, `import x = require()`, type-level `import('…')` and
 * dynamic `import('…')`). `arrows.test.ts` checks the whole tree against it;
 * gilbench itself never loads this module (typescript is a dev dependency).
 *
 * @example
 * importsOf('a.ts', "import { x } from './b.ts'; await import(name);")
 * // [{ specifier: './b.ts', line: 1 }, { specifier: null, line: 1 }]
 */
import ts from 'typescript';

/** The rooms: each top-level folder with code in it. */
export const ROOMS = ['cli', 'harness', 'suites', 'agents', 'server', 'web'] as const;
export type Room = (typeof ROOMS)[number];

/**
 * What each room may import besides itself and npm packages. `cli` is the
 * wiring room: the only one that imports several rooms to start them.
 * Paths are repository-relative prefixes.
 */
export const ARROWS: Readonly<Record<Room, { may: readonly string[]; rule: string }>> = {
  harness: { may: [], rule: 'harness imports no other room' },
  suites: { may: ['harness/'], rule: 'suites import only harness' },
  agents: { may: ['harness/', 'server/contract/'], rule: 'agents import only harness and server/contract' },
  web: { may: ['harness/', 'server/contract/'], rule: 'web imports only harness and server/contract' },
  server: { may: ['harness/'], rule: 'server imports only harness (never web, agents or cli)' },
  cli: { may: ROOMS.map((room) => `${room}/`), rule: 'cli may import every room' },
};

/**
 * Rules inside a room: production code under `within` imports only its own
 * folder, the prefixes in `may` and packages. Test code there is held to the
 * room's rule only.
 */
export const INNER_ARROWS: ReadonlyArray<{ within: string; may: readonly string[]; rule: string }> = [
  {
    within: 'server/contract/',
    may: ['harness/'],
    rule: 'the API contract imports only itself and harness (no store, database or server code)',
  },
  {
    within: 'server/store/',
    may: ['harness/schema.ts', 'server/contract/enums.ts'],
    rule: "the store imports only itself, the run schema and the API's vocabularies (never the services, detector, routes or app above it)",
  },
];

export interface ImportSite {
  /** The module named, or null when it is not a string literal (a computed dynamic import). */
  specifier: string | null;
  line: number;
}

/** Every module `text` imports or re-exports, in order. */
export function importsOf(fileName: string, text: string): ImportSite[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const sites: ImportSite[] = [];
  const add = (node: ts.Node, specifier: ts.Node | undefined) => {
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    sites.push({ specifier: specifier && ts.isStringLiteralLike(specifier) ? specifier.text : null, line });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) add(node, node.moduleSpecifier);
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier) add(node, node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference))
      add(node, node.moduleReference.expression);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node, node.argument.literal);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword)
      add(node, node.arguments[0]);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return sites;
}

/** The room a repository-relative path belongs to, or null (root files, packages). */
export function roomOf(path: string): Room | null {
  const top = path.split('/')[0];
  return (ROOMS as readonly string[]).includes(top ?? '') ? (top as Room) : null;
}

/**
 * Whether a repository-relative path is test code: a test, a room's test support, the web's test folder, or a
 * benchmark or reliability script (tools run from a checkout that build their data with the tests' builders).
 */
export function isTestCode(path: string): boolean {
  return (
    /\.test\.[cm]?[jt]s$/.test(path) ||
    /(^|\/)(test-support|bench|reliability)(\/|\.ts$)/.test(path) ||
    /(^|\/)bench-[\w-]+\.ts$/.test(path) ||
    path.startsWith('web/test/')
  );
}

/**
 * Why `from` may not import `to` (both repository-relative), or null when the arrow is allowed.
 * Test code may also import any room's test support (an end-to-end test starts a real server process through
 * the server's); production code never imports test code, not even its own room's.
 * @example arrowError('harness/x.ts', 'server/y.ts') // 'harness/x.ts imports server/y.ts: harness imports no other room'
 */
export function arrowError(from: string, to: string): string | null {
  const room = roomOf(from);
  if (!room) return null;
  if (isTestCode(to) && !isTestCode(from)) return `${from} imports ${to}: production code never imports test code`;
  if (!isTestCode(from)) {
    for (const inner of INNER_ARROWS) {
      if (from.startsWith(inner.within) && !to.startsWith(inner.within) && !inner.may.some((p) => to.startsWith(p)))
        return `${from} imports ${to}: ${inner.rule}`;
    }
  }
  const target = roomOf(to);
  if (target === room) return null;
  if (ARROWS[room].may.some((prefix) => to.startsWith(prefix))) return null;
  if (isTestCode(from) && isTestCode(to)) return null;
  return `${from} imports ${to}: ${ARROWS[room].rule}`;
}
