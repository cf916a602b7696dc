// registry.js serves look-alike packages on 127.0.0.1 for gen.sh, the way
// the npm registry does: GET /<name> (scoped: /@scope%2fname) answers the
// full packument, or the abbreviated one ("corgi") when the client asks for
// application/vnd.npm.install-v1+json; GET /<name>/-/<base>-<version>.tgz
// answers a tarball. Packuments come from registry/*.json (as the fixture
// registry served them: versions, _npmUser, maintainers, time); each
// version's dist is replaced by the tarball in tarballs/ that gen.sh packed
// with npm pack, so integrity checks pass, and its bin is the packed one. Nothing else is served: no
// uplink, no network.
//
// Usage: node registry.js PORT REGISTRY_DIR TARBALL_DIR REQUEST_LOG
'use strict';
const http = require('http');
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const [port, regDir, tgzDir, logFile] = process.argv.slice(2);
const base = `http://127.0.0.1:${port}`;
const docs = new Map(); // name → full packument

function load(file) {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  delete doc._attachments;
  delete doc._rev;
  delete doc.users;
  const slug = doc.name.replace('@', '').replace('/', '-');
  for (const [v, vd] of Object.entries(doc.versions)) {
    const tgz = path.join(tgzDir, `${slug}-${v}.tgz`);
    if (!fs.existsSync(tgz)) {
      delete doc.versions[v];
      delete doc.time[v];
      continue;
    }
    const data = fs.readFileSync(tgz);
    const bare = doc.name.split('/').pop();
    // The version document lists the bin the packed package.json declares,
    // as the registry's does, so that npx and dlx find what to run.
    const manifest = JSON.parse(fs.readFileSync(tgz.replace(/\.tgz$/, '.json'), 'utf8'));
    if (manifest.bin) vd.bin = manifest.bin;
    vd.dist = {
      integrity: 'sha512-' + crypto.createHash('sha512').update(data).digest('base64'),
      shasum: crypto.createHash('sha1').update(data).digest('hex'),
      tarball: `${base}/${doc.name}/-/${bare}-${v}.tgz`,
    };
  }
  docs.set(doc.name, doc);
}

for (const f of fs.readdirSync(regDir, { recursive: true })) {
  if (f.endsWith('.json')) load(path.join(regDir, f));
}

function corgi(doc) {
  const versions = {};
  for (const [v, vd] of Object.entries(doc.versions)) {
    const keep = { name: vd.name, version: vd.version, dist: vd.dist };
    for (const k of ['dependencies', 'optionalDependencies', 'peerDependencies', 'bin', 'engines', 'deprecated']) {
      if (vd[k]) keep[k] = vd[k];
    }
    versions[v] = keep;
  }
  return { name: doc.name, modified: doc.time.modified, 'dist-tags': doc['dist-tags'], versions };
}

http.createServer((req, res) => {
  const url = decodeURIComponent(req.url.split('?')[0]);
  const accept = req.headers.accept || '';
  fs.appendFileSync(logFile, `${req.method} ${req.url} accept=${accept.split(',')[0]}\n`);
  const tar = url.match(/^\/(.+)\/-\/([^/]+\.tgz)$/);
  if (tar) {
    const doc = docs.get(tar[1]);
    const v = doc && Object.values(doc.versions).find(vd => vd.dist.tarball.endsWith('/' + tar[2]));
    if (!v) return notFound(res);
    const slug = doc.name.replace('@', '').replace('/', '-');
    const data = fs.readFileSync(path.join(tgzDir, `${slug}-${v.version}.tgz`));
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': data.length });
    return res.end(data);
  }
  const doc = docs.get(url.slice(1));
  if (!doc) return notFound(res);
  const abbreviated = accept.startsWith('application/vnd.npm.install-v1+json');
  const body = JSON.stringify(abbreviated ? corgi(doc) : doc);
  res.writeHead(200, { 'content-type': abbreviated ? 'application/vnd.npm.install-v1+json' : 'application/json' });
  res.end(body);
}).listen(Number(port), '127.0.0.1', () => console.log(`registry on ${base}`));

function notFound(res) {
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end('{"error":"Not found"}');
}
