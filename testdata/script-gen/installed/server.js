// A read-only npm registry on 127.0.0.1 for gen.sh: GET /<name> serves
// packuments from DIR/<name>.json, GET /<name>/-/<file>.tgz tarballs from
// DIR/tarballs/<file>.tgz. Nothing else; no uplink.
'use strict'
const http = require('http')
const fs = require('fs')
const path = require('path')
const [dir, port] = process.argv.slice(2)
http.createServer((req, res) => {
  const url = decodeURIComponent(req.url.split('?')[0]).replace(/^\/+/, '')
  let file
  const m = url.match(/^(?:@[^/]+\/)?[^/]+\/-\/(.+\.tgz)$/)
  if (m) file = path.join(dir, 'tarballs', path.basename(m[1]))
  else file = path.join(dir, url.replace('/', '%2f') + '.json')
  fs.readFile(file, (err, data) => {
    if (err) { res.writeHead(404, { 'content-type': 'application/json' }); res.end('{"error":"not found"}'); return }
    res.writeHead(200, { 'content-type': m ? 'application/octet-stream' : 'application/json' })
    res.end(data)
  })
}).listen(+port, '127.0.0.1')
