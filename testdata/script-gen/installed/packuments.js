// Usage: node packuments.js REGISTRY_FIXTURES OUT PORT PACK_JSON...
// Writes OUT/<name>.json for each package: the versions of the fixture
// packument (testdata/fixtures/registry, which keeps _npmUser and
// maintainers as the registry served them) that were packed, with dist
// rewritten to the tarballs npm pack made.
'use strict'
const fs = require('fs')
const path = require('path')
const [fixtures, out, port, ...packs] = process.argv.slice(2)
const byName = {}
for (const p of packs) {
  for (const r of JSON.parse(fs.readFileSync(p, 'utf8'))) {
    (byName[r.name] = byName[r.name] || []).push(r)
  }
}
for (const [name, rs] of Object.entries(byName)) {
  const src = JSON.parse(fs.readFileSync(path.join(fixtures, name + '.json'), 'utf8'))
  const doc = { _id: name, name, 'dist-tags': {}, versions: {}, time: {} }
  for (const r of rs) {
    const v = Object.assign({}, src.versions[r.version])
    v.dist = {
      integrity: r.integrity,
      shasum: r.shasum,
      tarball: `http://127.0.0.1:${port}/${name}/-/${r.filename}`
    }
    doc.versions[r.version] = v
    doc.time[r.version] = src.time[r.version]
  }
  doc['dist-tags'].latest = Object.keys(doc.versions).sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).pop()
  fs.writeFileSync(path.join(out, name.replace('/', '%2f') + '.json'), JSON.stringify(doc, null, 2))
}
