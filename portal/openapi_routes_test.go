package portal

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/gongshi/gongshi/importer/opendata"
)

// htmlPages are the routes whose answer is a page for people (or its form post, or the assets
// the pages load). openapi.yaml describes everything else a program can call: the JSON API,
// the back office's API, open-data files and catalogs, feeds, reports and operations. A HEAD is
// the GET without its body and an OPTIONS is the CORS preflight, so neither is listed apart.
var htmlPages = map[string]bool{
	"GET /":                                 true,
	"GET /search":                           true,
	"GET /entities/:code":                   true,
	"GET /lists/:list":                      true,
	"GET /stats":                            true,
	"GET /data/":                            true,
	"GET /entities/:code/report":            true,
	"GET /r/:number":                        true, // the QR code's link to the verify page
	"GET /reports/verify/:number":           true,
	"POST /reports/verify/:number":          true,
	"GET /objections/new":                   true,
	"POST /objections/new":                  true,
	"GET /objections/:tracking":             true,
	"POST /objections/:tracking":            true,
	"POST /objections/:tracking/supplement": true,
	"GET /tipoffs/new":                      true,
	"POST /tipoffs/new":                     true,
	"GET /tipoffs/:tracking":                true,
	"POST /tipoffs/:tracking":               true,
	"GET /admin/login":                      true,
	"POST /admin/login":                     true,
	"POST /admin/logout":                    true,
	"GET /admin/":                           true,
	"GET /admin/objections/:tracking":       true,
	"POST /admin/objections/:tracking":      true,
	"GET /admin/attachments/:id":            true,
	"GET /admin/tipoffs":                    true,
	"GET /admin/tipoffs/:tracking":          true,
	"POST /admin/tipoffs/:tracking":         true,
	"GET /admin/tipoff-attachments/:id":     true,
	"GET /screen":                           true,
	"POST /screen":                          true,
	"GET /static/*file":                     true,
}

// openAPIPath turns a gin path into the OpenAPI template: :name and *name are {name}.
func openAPIPath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") || strings.HasPrefix(s, "*") {
			parts[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}

func loadOpenAPI(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(openAPISpec)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.yaml is not valid OpenAPI 3: %v", err)
	}
	return doc
}

// TestOpenAPIDescribesEveryRoute walks the site map: every route that is not an HTML page has
// its path and method in openapi.yaml, and the spec describes no route the server lacks.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	doc := loadOpenAPI(t)
	s := routeServer(t)
	declared, _ := declaredRoutes(s)
	inSpec := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			inSpec[method+" "+path] = true
		}
	}
	routes := map[string]bool{}
	for key, rt := range declared {
		if rt.method != http.MethodGet && rt.method != http.MethodPost {
			continue // HEAD and OPTIONS follow from the GET
		}
		if key != rt.method+" "+rt.path {
			continue // the HEAD entry of a GET
		}
		routes[key] = true
		if htmlPages[key] {
			continue
		}
		if !inSpec[rt.method+" "+openAPIPath(rt.path)] {
			t.Errorf("%s is not described in openapi.yaml (as %s %s); describe it, or list it in htmlPages if it answers a page for people",
				key, rt.method, openAPIPath(rt.path))
		}
		delete(inSpec, rt.method+" "+openAPIPath(rt.path))
	}
	for key := range inSpec {
		t.Errorf("openapi.yaml describes %s, which the site map does not serve", key)
	}
	for key := range htmlPages {
		if !routes[key] {
			t.Errorf("htmlPages lists %s, which the site map does not serve", key)
		}
	}
}

// TestOpenAPISecurity checks the schemes: an optional X-API-Key everywhere (it only raises the
// rate budget) and a reviewer's bearer token, required, on every back-office operation.
func TestOpenAPISecurity(t *testing.T) {
	doc := loadOpenAPI(t)
	key, bearer := doc.Components.SecuritySchemes["apiKey"], doc.Components.SecuritySchemes["reviewerToken"]
	if key == nil || key.Value.Type != "apiKey" || key.Value.In != "header" || key.Value.Name != "X-API-Key" {
		t.Errorf("apiKey scheme: %+v", key)
	}
	if bearer == nil || bearer.Value.Type != "http" || bearer.Value.Scheme != "bearer" {
		t.Errorf("reviewerToken scheme: %+v", bearer)
	}
	anonymous := false
	for _, req := range doc.Security {
		anonymous = anonymous || len(req) == 0
	}
	if !anonymous {
		t.Error("the default security must allow calls without a key")
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			admin := strings.HasPrefix(path, "/api/v1/admin/")
			if !admin {
				if op.Security != nil && len(*op.Security) > 0 {
					for _, req := range *op.Security {
						if _, ok := req["reviewerToken"]; ok {
							t.Errorf("%s %s: a public operation asks for a reviewer token", method, path)
						}
					}
				}
				continue
			}
			if op.Security == nil || len(*op.Security) != 1 || len((*op.Security)[0]) != 1 {
				t.Errorf("%s %s: a back-office operation must require exactly the reviewer token", method, path)
				continue
			}
			if _, ok := (*op.Security)[0]["reviewerToken"]; !ok {
				t.Errorf("%s %s: security %v", method, path, *op.Security)
			}
			if op.Responses.Status(http.StatusUnauthorized) == nil {
				t.Errorf("%s %s: no 401 described", method, path)
			}
		}
	}
}

// TestOpenAPIOpenDataAnswers validates the open-data answers of a server with published
// versions against openapi.yaml: catalogs, a list's and a version's folders, files, a Range
// piece, a 304 and the changes API.
func TestOpenAPIOpenDataAnswers(t *testing.T) {
	doc := loadOpenAPI(t)
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	_, ts, _ := openDataServer(t, opendata.Options{})
	var sums string
	for _, tc := range []struct {
		path   string
		header string
		want   int
	}{
		{"/data/catalog.json", "", 200},
		{"/data/dcat.jsonld", "", 200},
		{"/data/blacklist/", "", 200},
		{"/data/blacklist/latest/", "", 200},
		{"/data/blacklist/latest/SHA256SUMS", "", 200},
		{"/data/blacklist/latest/datapackage.json", "", 200},
		{"/data/blacklist/latest/SHA256SUMS", "Range: bytes=5-9", 206},
		{"/data/blacklist/latest/SHA256SUMS", "If-None-Match", 304},
		{"/data/blacklist/latest/nope.csv", "", 404},
		{"/api/v1/changes?list=blacklist", "", 200},
	} {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+tc.path, nil)
		if name, value, ok := strings.Cut(tc.header, ": "); ok {
			req.Header.Set(name, value)
		} else if tc.header == "If-None-Match" {
			req.Header.Set("If-None-Match", sums)
		}
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Errorf("%s: not documented: %v", tc.path, err)
			continue
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if strings.HasSuffix(tc.path, "SHA256SUMS") && tc.header == "" {
			sums = res.Header.Get("ETag")
		}
		if res.StatusCode != tc.want {
			t.Errorf("%s %s: status %d, want %d", tc.path, tc.header, res.StatusCode, tc.want)
			continue
		}
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route}
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.StatusCode, Header: res.Header,
			Options: &openapi3filter.Options{IncludeResponseStatus: true}}
		out.SetBodyBytes(body)
		if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
			t.Errorf("%s %s: the answer does not match openapi.yaml: %v", tc.path, tc.header, err)
		}
	}
}
