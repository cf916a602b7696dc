// A tiny npm registry for gen.sh: it packs the look-alike packages listed in
// PACKAGES with the real npm client and serves their packuments and
// tarballs on 127.0.0.1, so that npm, yarn and pnpm write real lockfiles
// without touching the network. The packages hold a README and nothing else.
//
//   node registry.mjs PORT [PORT...]   (prints "ready" when listening)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PACKAGES = [
  ['wrappy', '1.0.2'],
  ['resize-observer-polyfill', '1.5.1'],
  ['@4lolo/resize-observer-polyfill', '1.5.2'],
  ['foo', '1.0.0'],
  ['postmark-mcp', '1.0.15'],
  ['postmark-mcp', '1.0.17'],
  ['@foo/bar', '1.1.0'],
  ['is-positive', '3.1.0'],
  ['uses-resize-observer', '2.0.0', { 'resize-observer-polyfill': '^1.5.1' }],
  ['mail-toolkit', '3.0.0', { foo: '^1.0.0' }],
];

const work = mkdtempSync(join(tmpdir(), 'registry-'));
const tarballs = new Map(); // "/name/-/file.tgz" -> bytes
const docs = new Map(); // name -> {name, versions, dist-tags}
for (const [name, version, dependencies] of PACKAGES) {
  const dir = join(work, 'src', name, version);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version, description: 'test package', license: 'MIT', dependencies }, null, 2));
  writeFileSync(join(dir, 'README.md'), `${name} ${version}: a stand-in package for lockfile tests.\n`);
  const out = join(work, 'out');
  mkdirSync(out, { recursive: true });
  const file = execFileSync('npm', ['pack', '--silent', '--pack-destination', out], { cwd: dir }).toString().trim().split('\n').pop();
  const data = readFileSync(join(out, file));
  const base = name.split('/').pop();
  const path = `/${name}/-/${base}-${version}.tgz`;
  tarballs.set(path, data);
  const doc = docs.get(name) ?? { name, versions: {}, 'dist-tags': {} };
  doc.versions[version] = {
    name, version, description: 'test package', license: 'MIT', dependencies,
    _npmUser: { name: 'tester' },
    dist: {
      tarball: path, // made absolute per request, with the port asked
      shasum: createHash('sha1').update(data).digest('hex'),
      integrity: 'sha512-' + createHash('sha512').update(data).digest('base64'),
    },
  };
  doc['dist-tags'].latest = version;
  docs.set(name, doc);
}

for (const port of process.argv.slice(2)) {
  createServer((req, res) => {
    const url = decodeURIComponent(req.url.split('?')[0]);
    if (tarballs.has(url)) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      return res.end(tarballs.get(url));
    }
    const doc = docs.get(url.slice(1));
    if (!doc) {
      res.writeHead(404, { 'content-type': 'application/json' });
      return res.end('{"error":"not found"}');
    }
    const copy = structuredClone(doc);
    for (const v of Object.values(copy.versions)) v.dist.tarball = `http://127.0.0.1:${port}${v.dist.tarball}`;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(copy));
  }).listen(Number(port), '127.0.0.1');
}
console.log('ready');
