import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fetchDebianSource,
  isDebianFamily,
  parseDeb822Sources,
  parseOneLineSources,
  pickDebianMirror,
  readSystemAptSources,
} from './debian-source.ts';

// Sample texts use example.org: no real mirror's host name lives in the repository.
const DEB822 = `Types: deb
# a comment inside the paragraph
URIs: http://mirror.example.org/debian
Suites: bookworm bookworm-updates
Components: main contrib
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`;

const ONE_LINE = `# deb cdrom:[Debian GNU/Linux 12]/ bookworm main
deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] https://mirror.example.org/debian/ bookworm main non-free-firmware
deb-src http://mirror.example.org/debian bookworm main  # trailing comment
deb http://security.example.org/debian-security bookworm-security main
`;

const UBUNTU = `Types: deb
URIs: http://archive.example.org/ubuntu
Suites: noble noble-updates
Components: main restricted
`;

describe('apt sources', () => {
  it('parses deb822 paragraphs, skipping comments', () => {
    expect(parseDeb822Sources(DEB822)).toEqual([
      {
        types: ['deb'],
        uris: ['http://mirror.example.org/debian'],
        suites: ['bookworm', 'bookworm-updates'],
        components: ['main', 'contrib'],
        enabled: true,
      },
      {
        types: ['deb'],
        uris: ['http://mirror.example.org/debian-security'],
        suites: ['bookworm-security'],
        components: ['main'],
        enabled: true,
      },
    ]);
  });

  it('reads Enabled: no and multi-line fields', () => {
    const text =
      'Types: deb deb-src\nURIs: http://a.example.org/debian\n  http://b.example.org/debian\nSuites: trixie\nEnabled: no\n';
    expect(parseDeb822Sources(text)).toEqual([
      {
        types: ['deb', 'deb-src'],
        uris: ['http://a.example.org/debian', 'http://b.example.org/debian'],
        suites: ['trixie'],
        components: [],
        enabled: false,
      },
    ]);
  });

  it('parses one-line entries with options and trailing comments', () => {
    const sources = parseOneLineSources(ONE_LINE);
    expect(sources.map((s) => [s.types[0], s.uris[0], s.suites[0], s.components])).toEqual([
      ['deb', 'https://mirror.example.org/debian/', 'bookworm', ['main', 'non-free-firmware']],
      ['deb-src', 'http://mirror.example.org/debian', 'bookworm', ['main']],
      ['deb', 'http://security.example.org/debian-security', 'bookworm-security', ['main']],
    ]);
  });

  it('picks the main Debian mirror, never the security one, and none on Ubuntu', () => {
    expect(pickDebianMirror(parseDeb822Sources(DEB822))).toBe('http://mirror.example.org/debian');
    expect(pickDebianMirror(parseOneLineSources(ONE_LINE))).toBe('https://mirror.example.org/debian');
    expect(pickDebianMirror(parseDeb822Sources(UBUNTU))).toBeNull();
    const securityOnly = parseDeb822Sources(DEB822).slice(1);
    expect(pickDebianMirror(securityOnly)).toBeNull();
    const disabled = parseDeb822Sources(`${DEB822.split('\n\n')[0]}\nEnabled: no\n`);
    expect(pickDebianMirror(disabled)).toBeNull();
  });

  let etc: string;
  beforeAll(async () => {
    etc = await mkdtemp(path.join(tmpdir(), 'gilbench-apt-'));
  });
  afterAll(async () => {
    await rm(etc, { recursive: true, force: true });
  });

  it('reads sources.list and sources.list.d like apt, ignoring other file names', async () => {
    await mkdir(path.join(etc, 'sources.list.d'));
    await writeFile(path.join(etc, 'sources.list'), ONE_LINE.split('\n').slice(3).join('\n'));
    await writeFile(path.join(etc, 'sources.list.d', 'debian.sources'), DEB822);
    await writeFile(path.join(etc, 'sources.list.d', 'ubuntu.sources.disabled'), UBUNTU);
    const sources = await readSystemAptSources(etc);
    expect(sources.map((s) => s.suites[0])).toEqual(['bookworm-security', 'bookworm', 'bookworm-security']);
    expect(pickDebianMirror(sources)).toBe('http://mirror.example.org/debian');
  });
});

describe.skipIf(!isDebianFamily())('fetchDebianSource (network: the system’s own Debian mirror)', () => {
  it('downloads python3.13 from trixie through a private apt state and returns its upstream tarball', async () => {
    if (!pickDebianMirror(await readSystemAptSources())) return;
    const dir = await mkdtemp(path.join(tmpdir(), 'gilbench-fetch-'));
    try {
      const src = await fetchDebianSource({
        packageName: 'python3.13',
        suite: 'trixie',
        downloadDir: path.join(dir, 'download'),
        aptDir: path.join(dir, 'apt'),
      });
      expect(src.upstreamVersion).toMatch(/^3\.13\.\d+$/);
      expect(src.debianVersion.startsWith(`${src.upstreamVersion}-`)).toBe(true);
      expect(src.description).toBe(`debian:python3.13 ${src.debianVersion}`);
      expect(path.basename(src.tarball)).toBe(`python3.13_${src.upstreamVersion}.orig.tar.xz`);
      const sha = createHash('sha256')
        .update(await readFile(src.tarball))
        .digest('hex');
      // The upstream 3.13.5 tarball the cache was built from.
      if (src.upstreamVersion === '3.13.5') expect(sha.slice(0, 12)).toBe('93e583f24345');
      // The private sources.list reuses the system's mirror for a deb-src line only.
      const list = await readFile(path.join(dir, 'apt', 'sources.list'), 'utf8');
      expect(list).toMatch(
        /^deb-src \[signed-by=\/usr\/share\/keyrings\/debian-archive-keyring\.gpg\] \S+ trixie main\n$/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
