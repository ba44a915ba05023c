// Validates gongshi open-data version folders with the Frictionless Data libraries: each
// datapackage.json against the Data Package profiles, every resource's bytes and sha256, and
// every gzip CSV against its Table Schema (header = field names, every value cast to its type).
// Usage: node validate.js DIR...   Exit status 1 and the problems on stderr when invalid.
'use strict'
const fs = require('fs')
const os = require('os')
const path = require('path')
const zlib = require('zlib')
const crypto = require('crypto')
const {Package, validate} = require('datapackage')
const {Table} = require('tableschema')

async function check(dir) {
  const problems = []
  const descriptor = JSON.parse(fs.readFileSync(path.join(dir, 'datapackage.json'), 'utf8'))
  const res = await validate(descriptor)
  if (!res.valid) {
    for (const e of res.errors) problems.push('descriptor: ' + e.message)
  }
  const pkg = await Package.load(descriptor, {basePath: dir, strict: false})
  if (!pkg.valid) {
    for (const e of pkg.errors) problems.push('package: ' + e.message)
  }
  if (pkg.profile.name !== 'data-package') problems.push('profile: ' + pkg.profile.name)
  for (const r of descriptor.resources) {
    const body = fs.readFileSync(path.join(dir, r.path))
    if (body.length !== r.bytes) problems.push(`${r.path}: ${body.length} bytes, descriptor says ${r.bytes}`)
    const sum = 'sha256:' + crypto.createHash('sha256').update(body).digest('hex')
    if (sum !== r.hash) problems.push(`${r.path}: hash ${sum}, descriptor says ${r.hash}`)
    if (r.profile !== 'tabular-data-resource' || r.compression !== 'gz') continue
    let text = zlib.gunzipSync(body).toString('utf8')
    if (text.charCodeAt(0) !== 0xfeff) problems.push(`${r.path}: no UTF-8 byte-order mark`)
    text = text.replace(/^\ufeff/, '')
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gongshi-frictionless-'))
    const csvPath = path.join(tmp, r.path.replace(/\.gz$/, ''))
    fs.writeFileSync(csvPath, text)
    try {
      const table = await Table.load(csvPath, {schema: r.schema})
      const rows = await table.read({cast: true})
      const names = r.schema.fields.map((f) => f.name)
      if (JSON.stringify(table.headers) !== JSON.stringify(names)) {
        problems.push(`${r.path}: header ${JSON.stringify(table.headers)} is not the schema's ${JSON.stringify(names)}`)
      }
      if (rows.length !== r.rows) problems.push(`${r.path}: ${rows.length} rows, descriptor says ${r.rows}`)
    } catch (err) {
      const all = err.multiple ? err.errors : [err]
      for (const e of all) problems.push(`${r.path}: ${e.message}`)
    } finally {
      fs.rmSync(tmp, {recursive: true, force: true})
    }
  }
  return problems
}

async function main() {
  let bad = 0
  for (const dir of process.argv.slice(2)) {
    const problems = await check(dir)
    for (const p of problems) console.error(`${dir}: ${p}`)
    if (problems.length) bad++
    else console.log(`${dir}: valid`)
  }
  process.exit(bad ? 1 : 0)
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : err)
  process.exit(2)
})
