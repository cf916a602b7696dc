// Usage: node npm-ranges.js SEMVER5_TEST_INDEX_JS EXTRA_TXT SEMVER7_DIR
// Prints a TSV: range, version, loose (true|false), satisfied (true|false),
// source (semver5-include, semver5-exclude, extra).
'use strict'
const fs = require('fs')
const path = require('path')
const [testFile, extraFile, semverDir] = process.argv.slice(2)
const semver = require(path.resolve(semverDir))

// The two range tables of semver 5's test/index.js are array literals
// between "range tests" / "negative range tests" and ".forEach". They are
// data only (strings and booleans), read with JSON after quote conversion.
const src = fs.readFileSync(testFile, 'utf8')
function table (marker) {
  const start = src.indexOf("test('\\n" + marker + "'")
  if (start < 0) throw new Error('no table ' + marker)
  const open = src.indexOf('[[', start)
  const close = src.indexOf('].forEach', open)
  let body = src.slice(open, close + 1)
  body = body.split('\n').map(l => l.replace(/^\s*\/\/.*$/, '').replace(/([\],]\s*)\/\/.*$/, '$1')).join('\n')
  body = body.replace(/'((?:[^'\\]|\\.)*)'/g, (_, s) => JSON.stringify(s))
  body = body.replace(/,\s*\]/g, ']')
  return JSON.parse(body)
}
const rows = []
for (const [marker, source] of [['range tests', 'semver5-include'], ['negative range tests', 'semver5-exclude']]) {
  for (const [range, version, loose] of table(marker)) {
    rows.push([range, version, !!loose, source])
  }
}
for (const line of fs.readFileSync(extraFile, 'utf8').split('\n')) {
  if (line.trim() === '' || line.startsWith('#')) continue
  const [range, version] = line.split('\t')
  rows.push([range, version, false, 'extra'])
}
const seen = new Set()
for (const [range, version, loose, source] of rows) {
  const key = range + '\t' + version + '\t' + loose
  if (seen.has(key)) continue
  seen.add(key)
  if (/[\t\n]/.test(range + version)) throw new Error('tab or newline in ' + key)
  const ok = semver.satisfies(version, range, { loose })
  process.stdout.write([range, version, loose, ok, source].join('\t') + '\n')
}
