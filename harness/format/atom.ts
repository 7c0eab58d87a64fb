/**
 * An Atom 1.0 document (RFC 4287) from plain data: the feed's id, title,
 * links and time, and its entries. Every text is escaped, and characters XML
 * 1.0 cannot carry at all (most C0 controls, lone surrogates) are dropped, so
 * any stored name or note gives a well-formed document. Browser-safe.
 *
 * @example
 * atomXml({ id: 'tag:gilbench,2025:feed', title: 'Regressions', updated: 0,
 *   selfUrl: 'http://127.0.0.1:8080/feed.xml', siteUrl: 'http://127.0.0.1:8080/', entries: [] });
 */

export interface AtomEntry {
  /** A permanent IRI: the same entry keeps it in every later version of the feed. */
  id: string;
  title: string;
  /** Milliseconds since the epoch. */
  updated: number;
  published?: number;
  /** Absolute URL of the page about the entry. */
  link: string;
  /** Plain text (sent as `type="text"`, escaped). */
  summary: string;
  categories?: readonly string[];
}

export interface AtomFeed {
  id: string;
  title: string;
  subtitle?: string;
  /** Milliseconds since the epoch. */
  updated: number;
  /** Absolute URL of this feed (`rel="self"`). */
  selfUrl: string;
  /** Absolute URL of the page the feed is about (`rel="alternate"`). */
  siteUrl: string;
  entries: readonly AtomEntry[];
}

// XML 1.0's Char production, as what it excludes: C0 controls but tab, LF, CR; U+FFFE/U+FFFF; lone surrogates.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters to remove
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g;
const NON_CHARACTER = /[\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text as XML character data or an attribute value: escaped, and with the characters XML cannot hold removed.
 * @example xmlText('a < b & "c"\u0001') === 'a &lt; b &amp; &quot;c&quot;'
 */
export function xmlText(text: string): string {
  return text
    .replace(CONTROL, '')
    .replace(NON_CHARACTER, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** RFC 3339 time, as Atom's date constructs want it. */
function atomTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** The feed as an Atom 1.0 XML document (UTF-8). */
export function atomXml(feed: AtomFeed): string {
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${xmlText(feed.id)}</id>`,
    `  <title type="text">${xmlText(feed.title)}</title>`,
  ];
  if (feed.subtitle) lines.push(`  <subtitle type="text">${xmlText(feed.subtitle)}</subtitle>`);
  lines.push(
    `  <updated>${atomTime(feed.updated)}</updated>`,
    `  <link rel="self" type="application/atom+xml" href="${xmlText(feed.selfUrl)}"/>`,
    `  <link rel="alternate" type="text/html" href="${xmlText(feed.siteUrl)}"/>`,
    // An entry without an author takes the feed's; Atom requires one of them.
    '  <author><name>gilbench</name></author>',
    '  <generator>gilbench</generator>',
  );
  for (const entry of feed.entries) {
    lines.push(
      '  <entry>',
      `    <id>${xmlText(entry.id)}</id>`,
      `    <title type="text">${xmlText(entry.title)}</title>`,
      `    <updated>${atomTime(entry.updated)}</updated>`,
    );
    if (entry.published !== undefined) lines.push(`    <published>${atomTime(entry.published)}</published>`);
    lines.push(`    <link rel="alternate" type="text/html" href="${xmlText(entry.link)}"/>`);
    for (const term of entry.categories ?? []) lines.push(`    <category term="${xmlText(term)}"/>`);
    lines.push(`    <summary type="text">${xmlText(entry.summary)}</summary>`, '  </entry>');
  }
  lines.push('</feed>');
  return `${lines.join('\n')}\n`;
}
