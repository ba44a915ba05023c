// Validates gongshi's dcat.jsonld files against the official DCAT-AP 3.0.1 SHACL shapes in
// shapes/ (see shapes/NOTICE.md), with a JSON-LD processor (jsonld.js, the W3C reference
// implementation) and a SHACL validator (rdf-validate-shacl).
//
// Usage: node validate.mjs FILE.jsonld...
//
// For each file it
//  1. converts the JSON-LD to RDF twice, without a base IRI and with one: a document whose IRIs
//     are all absolute gives the same triples both ways (without a base a relative IRI, and its
//     triple, is dropped); a remote context is refused, the document must stand on its own;
//  2. validates the triples against every shape file below and reports every result, of any
//     severity (violation, warning, info).
// Output, one JSON object a line: {"result": {...}} per validation result, then
// {"file", "triples", "triples_with_base"} per file. Exit status 0 when nothing was reported
// and the counts agree, 1 otherwise, 2 on a usage error; the caller judges the results.
import fs from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import jsonld from 'jsonld'
import N3 from 'n3'
import rdf from '@zazuko/env-node'
import SHACLValidator from 'rdf-validate-shacl'

const here = path.dirname(fileURLToPath(import.meta.url))

// The shape files, grouped as the DCAT-AP 3.0.1 specification's "Validation of DCAT-AP" section
// groups them: existence, literal ranges and cardinalities; class ranges; controlled
// vocabularies; recommended properties; deprecated terms; and the template with one identifier
// per constraint with its class ranges.
const shapeFiles = [
  'shapes.ttl',
  'range.ttl',
  'mdr-vocabularies.shape.ttl',
  'shapes_recommended.ttl',
  'deprecateduris.ttl',
  'dcat-ap-SHACL.ttl',
  'ranges.ttl',
]

// noRemote refuses every remote context or document: the file must stand on its own.
const noRemote = async (url) => {
  throw new Error(`the document loads ${url}; it must carry its context inline`)
}

// noImport answers a shape file's owl:imports (deprecateduris.ttl imports the ADMS status
// vocabulary, background knowledge about adms:status, a property the catalogue does not use)
// with nothing: the validation runs offline, on the shapes and the document alone.
const noImport = () => rdf.dataset()

function parseTurtle(text, base) {
  const ds = rdf.dataset()
  for (const q of new N3.Parser({baseIRI: base}).parse(text)) ds.add(q)
  return ds
}

function parseNQuads(text) {
  const ds = rdf.dataset()
  for (const q of new N3.Parser({format: 'N-Quads'}).parse(text)) ds.add(q)
  return ds
}

function term(t) {
  if (!t) return ''
  return t.termType === 'BlankNode' ? '_:' + t.value : t.value
}

async function check(file, shapes) {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'))
  const opts = {format: 'application/n-quads', documentLoader: noRemote}
  const bare = await jsonld.toRDF(doc, {...opts, base: null})
  const based = await jsonld.toRDF(doc, {...opts, base: 'http://base.invalid/dir/'})
  const count = (nq) => nq.split('\n').filter(Boolean).length
  const data = parseNQuads(bare)
  const results = []
  for (const [name, ds] of shapes) {
    const report = await new SHACLValidator(ds, {factory: rdf, importGraph: noImport}).validate(data)
    for (const r of report.results) {
      results.push({
        file, shapes: name, severity: term(r.severity).replace(/.*#/, ''), focus: term(r.focusNode),
        path: term(r.path), value: term(r.value), message: r.message.map((m) => m.value).join('; '),
        shape: term(r.sourceShape), component: term(r.sourceConstraintComponent).replace(/.*#/, ''),
      })
    }
  }
  return {file, triples: count(bare), triples_with_base: count(based), results}
}

const files = process.argv.slice(2)
if (files.length === 0) {
  console.error('usage: node validate.mjs FILE.jsonld...')
  process.exit(2)
}
const shapes = shapeFiles.map((f) => {
  const p = path.join(here, 'shapes', f)
  return [f, parseTurtle(fs.readFileSync(p, 'utf8'), 'file://' + p)]
})
let failed = false
for (const f of files) {
  const {results, ...counts} = await check(f, shapes)
  for (const r of results) console.log(JSON.stringify({result: r}))
  console.log(JSON.stringify(counts))
  if (results.length > 0 || counts.triples !== counts.triples_with_base || counts.triples === 0) failed = true
}
process.exit(failed ? 1 : 0)
