import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { atomXml, xmlText } from './atom.ts';

describe('xmlText', () => {
  it('escapes markup and drops what XML 1.0 cannot hold, keeping tabs, newlines and astral characters', () => {
    expect(xmlText(`a<b>&"c"'d'\u0000\u0008\u001f\uFFFE\uD800x\tz\n😀`)).toBe(
      'a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;x\tz\n😀',
    );
  });
});

describe('atomXml', () => {
  it('writes a well-formed feed whose entries read back as written', () => {
    const xml = atomXml({
      id: 'tag:gilbench,2025:t',
      title: 'T <&>',
      updated: Date.parse('2026-01-02T03:04:05Z'),
      selfUrl: 'http://h/feed.xml?a=1&b=2',
      siteUrl: 'http://h/',
      entries: [
        {
          id: 'tag:gilbench,2025:e',
          title: 'E',
          updated: 0,
          link: 'http://h/#/x?a=1&b=2',
          summary: ']]> <x>',
          categories: ['c"'],
        },
      ],
    });
    expect(XMLValidator.validate(xml)).toBe(true);
    const feed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(xml).feed;
    expect(feed.title['#text']).toBe('T <&>');
    expect(feed.updated).toBe('2026-01-02T03:04:05.000Z');
    expect(feed.entry.link['@href']).toBe('http://h/#/x?a=1&b=2');
    expect(feed.entry.summary['#text']).toBe(']]> <x>');
    expect(feed.entry.category['@term']).toBe('c"');
  });
});
