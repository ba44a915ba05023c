// Validates gongshi open-data version folders with the Frictionless Data libraries: each
// datapackage.json against the Data Package profiles, every resource's bytes and sha256, and
// every gzip CSV against its Table Schema (header = field names, every value cast to its type).
// Usage: node validate.js DIR...   Exit status 1 and the problems on stderr when invalid.
'use strict'
const fs = require('fs')
const {StringDecoder} = require('string_decoder')
const {Transform} = require('stream')
const path = require('path')
const zlib = require('zlib')
const crypto = require('crypto')
const {Package, validate} = require('datapackage')
const {Table} = require('tableschema')

// decoderFor returns a factory of text streams for a declared encoding, as tableschema does for
// a local file (setEncoding, which keeps a byte-order mark) or, for "utf-8-sig", Python's codec
// of that name that Frictionless uses: UTF-8 whose leading byte-order mark, if any, is dropped.
// Node has no "utf-8-sig" of its own.
function decoderFor(encoding) {
  const enc = encoding.toLowerCase()
  if (enc !== 'utf-8' && enc !== 'utf8' && enc !== 'utf-8-sig') return null
  return () => {
    const sd = new StringDecoder('utf8')
    let first = enc === 'utf-8-sig'
    return new Transform({
      readableObjectMode: false,
      transform(chunk, _enc, done) {
        let text = sd.write(chunk)
        if (first && text.length > 0) {
          if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
          first = false
        }
        done(null, text)
      },
      flush(done) {
        done(null, sd.end())
      },
    })
  }
}

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
    // The CSV is read as published: the file's own bytes, gunzipped because the descriptor
    // says compression "gz" (which these libraries do not do themselves), then decoded as the
    // descriptor's encoding says. Nothing else is removed, so a byte-order mark declared as
    // plain "utf-8" stays in the first header, as it does for any reader trusting the descriptor.
    const raw = zlib.gunzipSync(body)
    const hasBOM = raw.length >= 3 && raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf
    if (!hasBOM) problems.push(`${r.path}: no UTF-8 byte-order mark`)
    const expected = hasBOM ? 'utf-8-sig' : 'utf-8'
    if ((r.encoding || 'utf-8') !== expected) problems.push(`${r.path}: encoding ${r.encoding}, the bytes are ${expected}`)
    const decoder = decoderFor(r.encoding || 'utf-8')
    if (!decoder) {
      problems.push(`${r.path}: encoding ${r.encoding} is not one this check can read`)
      continue
    }
    const source = () => fs.createReadStream(path.join(dir, r.path)).pipe(zlib.createGunzip()).pipe(decoder())
    try {
      const table = await Table.load(source, {schema: r.schema})
      const rows = await table.read({cast: true})
      const names = r.schema.fields.map((f) => f.name)
      if (JSON.stringify(table.headers) !== JSON.stringify(names)) {
        problems.push(`${r.path}: header ${JSON.stringify(table.headers)} is not the schema's ${JSON.stringify(names)}`)
      }
      if (rows.length !== r.rows) problems.push(`${r.path}: ${rows.length} rows, descriptor says ${r.rows}`)
    } catch (err) {
      const all = err.multiple ? err.errors : [err]
      for (const e of all) problems.push(`${r.path}: ${e.message}`)
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
