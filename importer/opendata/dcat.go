package opendata

import (
	"strings"
	"time"
)

// dcat.jsonld is the catalog in DCAT-AP 3.0.1, as JSON-LD, for data-portal harvesters. It is
// written to conform to the official SHACL shapes without background knowledge: every IRI is
// absolute (the public URL, Options.PublicBase), and every controlled-vocabulary term it uses
// (EU file types, languages, frequencies, data themes, countries; IANA media types; SPDX
// checksum algorithms) is described where it is used with the class and scheme the shapes
// check, so a validator or harvester needs neither the vocabularies nor a base IRI.
// importer/opendata/testdata/shacl holds the shapes and the validator the tests run.

const (
	euAuthority = "http://publications.europa.eu/resource/authority/"
	ianaMedia   = "http://www.iana.org/assignments/media-types/"
	// jsonLinesSpec is the specification the JSON Lines files follow; IANA registers no media
	// type for them, so they carry dct:conformsTo instead of dcat:mediaType.
	jsonLinesSpec = "https://jsonlines.org/"
	// dataPackageSpec is the Frictionless Data Package specification datapackage.json follows.
	dataPackageSpec = "https://specs.frictionlessdata.io/data-package/"
)

type node = map[string]any

var dcatContext = map[string]string{
	"dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/", "foaf": "http://xmlns.com/foaf/0.1/",
	"spdx": "http://spdx.org/rdf/terms#", "xsd": "http://www.w3.org/2001/XMLSchema#", "skos": "http://www.w3.org/2004/02/skos/core#",
	"vcard": "http://www.w3.org/2006/vcard/ns#", "dcatap": "http://data.europa.eu/r5r/", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
}

func iri(s string) node { return node{"@id": s} }

func typed(value any, datatype string) node { return node{"@value": value, "@type": datatype} }

func langs(zh, en string) []node {
	return []node{{"@value": zh, "@language": "zh"}, {"@value": en, "@language": "en"}}
}

func en(s string) node { return node{"@value": s, "@language": "en"} }

func dateTime(t time.Time) node { return typed(t.UTC().Format(time.RFC3339), "xsd:dateTime") }

// euTerm is a term of one of the EU Publications Office's authority tables, with the class
// the DCAT-AP shapes expect of the property that uses it and its English label.
func euTerm(table, code, class, label string) node {
	types := []string{class, "skos:Concept"}
	if class == "skos:Concept" {
		types = types[1:]
	}
	return node{"@id": euAuthority + table + "/" + code, "@type": types,
		"skos:prefLabel": en(label), "skos:inScheme": euScheme(table)}
}

func euScheme(table string) node {
	return node{"@id": euAuthority + table, "@type": "skos:ConceptScheme", "dct:title": en(euTableTitles[table])}
}

var euTableTitles = map[string]string{
	"file-type": "File types", "language": "Languages", "frequency": "Frequency", "data-theme": "Data theme",
	"country": "Countries and territories", "planned-availability": "Planned availability",
}

// fileType is the EU file type of a published file's format (catalog.json's "format").
func fileType(format string) node {
	switch format {
	case "csv":
		return euTerm("file-type", "CSV", "dct:MediaTypeOrExtent", "CSV")
	case "xlsx":
		return euTerm("file-type", "XLSX", "dct:MediaTypeOrExtent", "XLSX")
	case "text":
		return euTerm("file-type", "TXT", "dct:MediaTypeOrExtent", "Plain text")
	default: // json, and jsonl: JSON values, one a line
		return euTerm("file-type", "JSON", "dct:MediaTypeOrExtent", "JSON")
	}
}

func mediaType(mt string) node { return node{"@id": ianaMedia + mt, "@type": "dct:MediaType"} }

func standard(id, title string) node {
	return node{"@id": id, "@type": "dct:Standard", "dct:title": en(title)}
}

// dcatVocab is what every part of the DCAT document shares.
type dcatVocab struct {
	base                             string
	publisher, licence, contactPoint node
	language, spatial                []node
	themes                           []node
}

func newDCATVocab(opts *Options) *dcatVocab {
	base := opts.PublicBase()
	v := &dcatVocab{base: base}
	v.publisher = node{"@id": base + "/data/#publisher", "@type": "foaf:Agent", "foaf:name": opts.Publisher}
	licenceURL := opts.LicenceURL
	if licenceURL == "" {
		licenceURL = base + "/data/#licence"
	}
	v.licence = node{"@id": licenceURL, "@type": "dct:LicenseDocument", "dct:title": opts.Licence}
	if strings.HasPrefix(opts.LicenceID, "CC-BY") {
		v.licence["dct:type"] = node{"@id": "http://purl.org/adms/licencetype/Attribution", "@type": "skos:Concept",
			"skos:prefLabel": en("Attribution"),
			"skos:inScheme":  node{"@id": "http://purl.org/adms/licencetype/1.0", "@type": "skos:ConceptScheme", "dct:title": en("Licence type")}}
	}
	// Errors in a record are reported through the objection form: the contact for the data.
	v.contactPoint = node{"@id": base + "/data/#contact", "@type": []string{"vcard:Kind", "vcard:Organization"}, "vcard:fn": opts.Publisher,
		"vcard:hasURL": iri(base + "/objections/new")}
	v.language = []node{
		euTerm("language", "ZHO", "dct:LinguisticSystem", "Chinese"),
		euTerm("language", "ENG", "dct:LinguisticSystem", "English"),
	}
	v.spatial = []node{euTerm("country", "CHN", "dct:Location", "China")}
	v.themes = []node{
		euTerm("data-theme", "ECON", "skos:Concept", "Economy and finance"),
		euTerm("data-theme", "GOVE", "skos:Concept", "Government and public sector"),
	}
	return v
}

// dcat renders the catalog. Each dataset's distributions are its newest files under their
// stable latest/ URLs, with the dated file as access URL; the changes API is a data service.
func dcat(c *Catalog, opts *Options) node {
	v := newDCATVocab(opts)
	base := v.base
	var datasets, served []node
	for _, ds := range c.Datasets {
		d := v.dataset(c, ds)
		datasets = append(datasets, d)
		served = append(served, iri(d["@id"].(string)))
	}
	changes := node{
		"@id": base + "/data/#changes-api", "@type": "dcat:DataService",
		"dct:title":                langs("公示数据变更接口", "gongshi changes API"),
		"dct:description":          en("Pages through every dataset's change log (added, removed, modified records, with the reason) without ever skipping: GET /api/v1/changes?list={dataset}&since={day}&cursor={cursor}."),
		"dcat:endpointURL":         node{"@id": base + "/api/v1/changes", "@type": "rdfs:Resource"},
		"dcat:endpointDescription": node{"@id": base + "/openapi.yaml", "@type": "rdfs:Resource"},
		"dct:conformsTo":           standard(base+"/openapi.yaml", "gongshi API (OpenAPI 3 description)"),
		"dcat:servesDataset":       served, "dct:publisher": v.publisher, "dct:license": v.licence, "dcat:contactPoint": v.contactPoint,
		"dcat:theme": v.themes, "dcat:keyword": []string{"企业信用", "公示", "API", "changes"},
	}
	return node{
		"@context": dcatContext,
		"@id":      base + "/data/dcat.jsonld", "@type": "dcat:Catalog",
		"dct:title":          langs("公示 · 企业信用信息开放数据", "gongshi open data: Chinese enterprise credit records"),
		"dct:description":    en(c.Description),
		"dct:publisher":      v.publisher,
		"dct:license":        v.licence,
		"dct:language":       v.language,
		"dct:spatial":        v.spatial,
		"dct:modified":       dateTime(c.Modified),
		"foaf:homepage":      node{"@id": base + "/data/", "@type": "foaf:Document"},
		"dcat:themeTaxonomy": euScheme("data-theme"),
		"dcat:dataset":       datasets,
		"dcat:service":       []node{changes},
	}
}

func (v *dcatVocab) dataset(c *Catalog, ds Dataset) node {
	base := v.base
	d := node{
		"@id": base + DataURL(ds.Name) + "/", "@type": "dcat:Dataset",
		"dct:identifier": ds.Name, "dct:title": langs(ds.Title, ds.TitleEN), "dct:description": en(ds.Description),
		"dct:publisher": v.publisher, "dcat:contactPoint": v.contactPoint,
		"dcat:keyword":           []string{"企业信用", "公示", ds.Title, "enterprise credit"},
		"dcat:theme":             v.themes,
		"dct:spatial":            v.spatial,
		"dct:language":           v.language[:1],
		"dct:accrualPeriodicity": euTerm("frequency", "DAILY", "dct:Frequency", "daily"),
		"dcat:landingPage":       node{"@id": base + "/data/#list-" + ds.Name, "@type": "foaf:Document"},
		"dcat:distribution":      []node{},
	}
	if len(ds.Versions) == 0 {
		return d
	}
	ver := ds.Versions[0]
	for _, v2 := range ds.Versions {
		if v2.ID == ds.Latest {
			ver = v2
		}
	}
	d["dct:modified"] = dateTime(c.Modified)
	d["dcat:version"] = ver.ID
	d["dct:temporal"] = node{"@type": "dct:PeriodOfTime", "dcat:endDate": typed(ver.SnapshotDate, "xsd:date")}
	var dists []node
	for _, f := range ver.Files {
		dists = append(dists, v.distribution(ds, ver, f))
	}
	d["dcat:distribution"] = dists
	return d
}

// distributionAbout describes a file by its format, for people choosing one.
func distributionAbout(name string) string {
	switch {
	case strings.HasSuffix(name, ".csv.gz"):
		return "CSV, gzip-compressed, UTF-8 with a byte-order mark; Chinese headers as in datapackage.json."
	case strings.HasSuffix(name, ".jsonl.gz"):
		return "JSON Lines, gzip-compressed: one record a line, English keys, exact values."
	case strings.HasSuffix(name, ".xlsx"):
		return "Excel workbook, one sheet, the same columns as the CSV; codes and dates are text cells."
	case strings.HasPrefix(name, "changes-"):
		return "The changes since the previous version, as JSON Lines."
	case name == DataPackageName:
		return "Frictionless Data Package descriptor: the files, their checksums and Table Schemas."
	case name == SumsName:
		return "SHA-256 checksums of the version's files, for sha256sum -c."
	}
	return name
}

func (v *dcatVocab) distribution(ds Dataset, ver Version, f CatalogFile) node {
	stable := v.base + DataURL(ds.Name, "latest", stableName(ds.Name, ver.ID, f.Name))
	dist := node{
		"@id": stable, "@type": "dcat:Distribution", "dct:title": en(f.Name), "dct:description": en(distributionAbout(f.Name)),
		"dcat:downloadURL":    iri(stable),
		"dcat:accessURL":      iri(v.base + f.URL),
		"dcat:byteSize":       typed(f.Bytes, "xsd:nonNegativeInteger"),
		"dct:format":          fileType(f.Format),
		"dct:modified":        dateTime(f.Modified),
		"dct:license":         v.licence,
		"dcatap:availability": euTerm("planned-availability", "STABLE", "skos:Concept", "stable"),
		"spdx:checksum": node{"@type": "spdx:Checksum",
			"spdx:algorithm":     node{"@id": "spdx:checksumAlgorithm_sha256", "@type": "spdx:ChecksumAlgorithm"},
			"spdx:checksumValue": typed(f.SHA256, "xsd:hexBinary")},
	}
	switch {
	case f.Format == "jsonl":
		dist["dct:conformsTo"] = standard(jsonLinesSpec, "JSON Lines")
	case f.Name == DataPackageName:
		dist["dcat:mediaType"] = mediaType(f.MediaType)
		dist["dct:conformsTo"] = standard(dataPackageSpec, "Frictionless Data Package")
	default:
		dist["dcat:mediaType"] = mediaType(f.MediaType)
	}
	if strings.HasSuffix(f.Name, ".gz") {
		dist["dcat:compressFormat"] = mediaType("application/gzip")
	}
	return dist
}
