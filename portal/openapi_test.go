package portal

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// TestOpenAPI validates /openapi.yaml with kin-openapi and checks that every documented route
// answers as documented: each request below is sent to the real server and its response is
// validated against the spec (status, content type and body schema).
func TestOpenAPI(t *testing.T) {
	_, ts := testServer(t)
	res, err := http.Get(ts.URL + "/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	spec, _ := io.ReadAll(res.Body)
	res.Body.Close()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(spec)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := doc.Validate(ctx); err != nil {
		t.Fatalf("openapi.yaml is not valid OpenAPI 3: %v", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	requests := map[string]int{
		"/api/v1/search?q=华威":                      200,
		"/api/v1/search?q=91350200776049653B":      200,
		"/api/v1/search?q=厦门&size=1":               200,
		"/api/v1/search?region=x":                  400,
		"/api/v1/suggest?q=厦门":                     200,
		"/api/v1/entities/" + huawei:               200,
		"/api/v1/entities/91350200776049653B":      404,
		"/api/v1/lists/blacklist":                  200,
		"/api/v1/lists/penalties?year=2025&size=5": 200,
		"/api/v1/lists/abnormal?state=x":           400,
		"/api/v1/lists/penalties?severity=serious": 400,
		"/healthz":                       200,
		"/readyz":                        200,
		"/api/v1/changes?list=blacklist": 200,

		// Credit reports.
		"/entities/" + huawei + "/report.json":                  200,
		"/entities/" + huawei + "/report.json?as_of=2099-01-01": 400,
		"/entities/91350200776049653B/report.json":              404,
		"/api/v1/reports/XY20261122ABCD1234":                    404,
		"/reports/public-key":                                   200,

		// Operations and this description.
		"/metrics":      200,
		"/openapi.yaml": 200,

		// Open data, feeds and the PDF report: no version is published in this data folder.
		"/data/catalog.json":                  404,
		"/data/dcat.jsonld":                   404,
		"/data/blacklist":                     301,
		"/data/nope":                          404,
		"/data/blacklist/":                    404,
		"/data/blacklist/2026-11-22":          301,
		"/data/blacklist/2026-11-22/":         404,
		"/data/blacklist/latest/SHA256SUMS":   404,
		"/feeds/blacklist.atom":               200,
		"/feeds/entities/" + huawei + ".atom": 200,
		"/entities/" + huawei + "/report.pdf": 200,
		"/reports/public-key.pem":             200,

		// Objections, and the back office without a reviewer's token.
		"/api/v1/objections/stats":                                                     200,
		"/api/v1/objections/XY20261122ABCD1234":                                        404,
		"/api/v1/admin/objections":                                                     401,
		"/api/v1/admin/objections/XY20261122ABCD1234":                                  401,
		`POST /api/v1/objections {"record_id":"x","kind":"objection"}`:                 400,
		`POST /api/v1/objections/XY20261122ABCD1234/supplement {}`:                     404,
		`POST /api/v1/admin/objections/XY20261122ABCD1234/actions {"action":"accept"}`: 401,

		// Tip-offs: anyone files one; following it needs the check code.
		"/api/v1/tipoffs/stats":                  200,
		"/api/v1/tipoffs/JB-20261122-7Q4K":       404,
		"/api/v1/admin/tipoffs":                  401,
		"/api/v1/admin/tipoffs/JB-20261122-7Q4K": 401,
		`POST /api/v1/tipoffs {"entity":"` + huawei + `","kind":"error","content":"公示的罚款金额与处罚决定书不一致。"}`: 201,
		`POST /api/v1/admin/tipoffs/JB-20261122-7Q4K/actions {"action":"accept","reason":"x"}`:          401,

		// Batch screening: "POST path body" (JSON).
		`POST /api/v1/screen {"as_of":"2025-01-01","subjects":[{"code":"` + huawei + `"},{"name":"厦门安泰（福建）贸易有限公司","ref":7},"91350200776049653B"]}`: 200,
		`POST /api/v1/screen {"subjects":[]}`: 400,
	}
	// Redirects are answers to validate, not to follow.
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	// Feeds, PDFs and PEM keys are text or bytes to the validator: it checks their content type
	// and status, and that they are strings.
	for _, ct := range []string{"application/atom+xml", "application/pdf", "application/x-pem-file"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.FileBodyDecoder)
	}
	covered := map[string]bool{}
	for path, want := range requests {
		method, reqBody := http.MethodGet, ""
		if p, ok := strings.CutPrefix(path, "POST "); ok {
			method = http.MethodPost
			path, reqBody, _ = strings.Cut(p, " ")
		}
		u, _ := url.Parse(ts.URL + path)
		req, _ := http.NewRequest(method, u.String(), strings.NewReader(reqBody))
		if method == http.MethodPost {
			req.Header.Set("Content-Type", "application/json")
		}
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Errorf("%s: not documented: %v", path, err)
			continue
		}
		covered[route.Path] = true
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%s: status %d, want %d: %s", path, resp.StatusCode, want, body)
			continue
		}
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route}
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
			Options: &openapi3filter.Options{IncludeResponseStatus: true}}
		out.SetBodyBytes(body)
		if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
			t.Errorf("%s: response does not match the spec: %v", path, err)
		}
	}
	for p := range doc.Paths.Map() {
		if !covered[p] {
			t.Errorf("documented route %s is not exercised by this test", p)
		}
	}
	if !strings.Contains(string(spec), "openapi: 3") {
		t.Error("spec not served")
	}
}
