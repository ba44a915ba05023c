package portal

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/gin-gonic/gin"

	"github.com/gongshi/gongshi/index"
)

var verbRe = regexp.MustCompile(`%(\[(\d+)\])?([a-z])`)

// formatArgs returns arguments for a format: one per verb (or per explicit index), an int for
// %d and a string otherwise.
func formatArgs(f string, args []any) []any {
	for i, m := range verbRe.FindAllStringSubmatch(f, -1) {
		k := i + 1
		if m[2] != "" {
			fmt.Sscan(m[2], &k)
		}
		for len(args) < k {
			args = append(args, nil)
		}
		if m[3] == "d" {
			args[k-1] = k
		} else {
			args[k-1] = fmt.Sprint("arg", k)
		}
	}
	return args
}

// TestCatalogue: every message has an error status, a snake_case code, English and Chinese
// text, and both formats take the same arguments.
func TestCatalogue(t *testing.T) {
	code := regexp.MustCompile(`^[a-z]+(_[a-z]+)*$`)
	for id, m := range catalogue {
		if m.status < 400 || m.status > 599 || !code.MatchString(m.code) || m.en == "" {
			t.Errorf("message %d: %+v", id, m)
		}
		if !strings.ContainsFunc(m.zh, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
			t.Errorf("message %d (%s): no Chinese text: %q", id, m.code, m.zh)
		}
		args := formatArgs(m.zh, formatArgs(m.en, nil))
		e := errorOf(msgID(id), args...)
		if strings.Contains(e.Message, "%!") || strings.Contains(e.MessageZH, "%!") {
			t.Errorf("message %d (%s) with %d arguments: %q / %q", id, m.code, len(args), e.Message, e.MessageZH)
		}
		if e.Status != m.status || e.Code != m.code {
			t.Errorf("errorOf(%d) = %+v", id, e)
		}
	}
	e := errorOf(msgBadList, "a, b", "a、b")
	if e.Message != "list must be one of a, b" || e.MessageZH != "list 参数应为名单名称：a、b。" {
		t.Errorf("bad_list: %q / %q", e.Message, e.MessageZH)
	}
	if e := errorOf(msgRateLimited, 7); e.Message != "too many requests; retry after 7 seconds" || e.MessageZH != "请求过于频繁，请 7 秒后再试。" {
		t.Errorf("rate_limited: %q / %q", e.Message, e.MessageZH)
	}
}

// TestAsError: how each kind of error is answered, in the one JSON shape.
func TestAsError(t *testing.T) {
	gin.SetMode(gin.TestMode)
	bre := fmt.Errorf("search: %w", &index.BadRequestError{Code: "bad_query", Message: "查询有误", MessageEN: "bad query"})
	for _, c := range []struct {
		err      error
		status   int
		code     string
		internal bool
	}{
		{errorOf(msgListNotFound), 404, "list_not_found", false},
		{fmt.Errorf("wrapped: %w", screenTooLarge()), 413, "too_large", false},
		{bre, 400, "bad_query", false},
		{fmt.Errorf("open: %w", index.ErrNotReady), 503, "not_ready", false},
		{errors.New("disk on fire"), 500, "internal", true},
	} {
		e, internal := asError(c.err)
		if e.Status != c.status || e.Code != c.code || internal != c.internal || e.Message == "" || e.MessageZH == "" {
			t.Errorf("asError(%v) = %+v, %v", c.err, e, internal)
		}
		w := httptest.NewRecorder()
		ctx, _ := gin.CreateTestContext(w)
		abortError(ctx, e)
		var body map[string]map[string]string
		if w.Code != c.status || json.Unmarshal(w.Body.Bytes(), &body) != nil {
			t.Fatalf("%v: %d %s", c.err, w.Code, w.Body)
		}
		got := body["error"]
		if len(got) != 3 || got["code"] != c.code || got["message"] != e.Message || got["message_zh"] != e.MessageZH {
			t.Errorf("%v: body %s", c.err, w.Body)
		}
	}
}

func TestIsTooLarge(t *testing.T) {
	for err, want := range map[error]bool{
		&http.MaxBytesError{Limit: 1}:                                   true,
		fmt.Errorf("multipart: %w", &http.MaxBytesError{}):              true,
		errors.New("multipart: NextPart: http: request body too large"): true,
		errors.New("unexpected EOF"):                                    false,
		nil:                                                             false,
	} {
		if got := isTooLarge(err); got != want {
			t.Errorf("isTooLarge(%v) = %v", err, got)
		}
	}
}
