package portal

// Reading a JSON screening request: options and a subjects array, or a bare array of subjects.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/index/uscc"
)

// JSON: {"as_of", "flags", "penalty_years", "subjects": [...]} or a bare array of subjects.

func (r *screenRequest) readJSON(c *gin.Context) error {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		return screenBodyError(err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return badScreen("no_subjects", "empty body: send {\"subjects\": [{\"code\": ..., \"name\": ...}]}", "请求内容为空。")
	}
	// The first pass fills in the options, wherever they stand in the object.
	first := newScreenJSONSubjects(body)
	first.opts = r
	r.open = func() (screenSource, error) {
		if first != nil {
			s := first
			first = nil
			return s, nil
		}
		return newScreenJSONSubjects(body), nil
	}
	return nil
}

type screenJSONSubjects struct {
	dec      *json.Decoder
	state    int // 0 before, 1 in the subjects array, 2 after it (in the object), 3 done
	topArray bool
	n        int
	seen     bool
	opts     *screenRequest // set on the first pass only: where options are stored
}

func newScreenJSONSubjects(body []byte) *screenJSONSubjects {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	return &screenJSONSubjects{dec: dec}
}

func (j *screenJSONSubjects) Close() error { return nil }

func screenJSONSyntax(err error) error {
	msg := err.Error()
	var se *json.SyntaxError
	if errors.As(err, &se) {
		msg = fmt.Sprintf("%s (at byte %d)", se.Error(), se.Offset)
	}
	return badScreen("bad_json", "malformed JSON: "+msg, "JSON 格式有误："+msg)
}

func (j *screenJSONSubjects) Next() (screenSubject, error) {
	for {
		switch j.state {
		case 0:
			tok, err := j.dec.Token()
			if err != nil {
				return screenSubject{}, screenJSONSyntax(err)
			}
			switch tok {
			case json.Delim('['):
				j.topArray, j.state, j.seen = true, 1, true
			case json.Delim('{'):
				if err := j.keys(); err != nil {
					return screenSubject{}, err
				}
			default:
				return screenSubject{}, badScreen("bad_json", "the body must be an object with \"subjects\" or an array of subjects",
					"JSON 应为含 subjects 的对象，或企业数组。")
			}
		case 1:
			if !j.dec.More() {
				if _, err := j.dec.Token(); err != nil { // ]
					return screenSubject{}, screenJSONSyntax(err)
				}
				j.state = 2
				if j.topArray {
					j.state = 3
					if err := j.end(); err != nil {
						return screenSubject{}, err
					}
				}
				continue
			}
			var raw json.RawMessage
			if err := j.dec.Decode(&raw); err != nil {
				return screenSubject{}, screenJSONSyntax(err)
			}
			j.n++
			return j.subject(raw)
		case 2:
			if err := j.keys(); err != nil {
				return screenSubject{}, err
			}
		default:
			return screenSubject{}, io.EOF
		}
	}
}

// keys reads object members up to the subjects array (state 1) or the end of the object.
func (j *screenJSONSubjects) keys() error {
	for j.dec.More() {
		tok, err := j.dec.Token()
		if err != nil {
			return screenJSONSyntax(err)
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		switch key {
		case "subjects":
			if j.seen {
				return badScreen("bad_json", "\"subjects\" given twice", "subjects 重复出现。")
			}
			tok, err := j.dec.Token()
			if err != nil {
				return screenJSONSyntax(err)
			}
			if tok != json.Delim('[') {
				return badScreen("bad_json", "\"subjects\" must be an array", "subjects 应为数组。")
			}
			j.seen, j.state = true, 1
			return nil
		case "as_of", "flags", "penalty_years":
			if err := j.dec.Decode(&raw); err != nil {
				return screenJSONSyntax(err)
			}
			if err := j.option(key, raw); err != nil {
				return err
			}
		default:
			return badScreen("bad_json", fmt.Sprintf("unknown field %q: use as_of, flags, penalty_years and subjects", screenClip(key, 40)),
				fmt.Sprintf("未知字段“%s”：可用字段为 as_of、flags、penalty_years、subjects。", screenClip(key, 40)))
		}
	}
	if _, err := j.dec.Token(); err != nil { // }
		return screenJSONSyntax(err)
	}
	if !j.seen {
		return badScreen("no_subjects", "no \"subjects\" array", "缺少 subjects 数组。")
	}
	j.state = 3
	return j.end()
}

func (j *screenJSONSubjects) end() error {
	if _, err := j.dec.Token(); err != io.EOF {
		return badScreen("bad_json", "unexpected data after the JSON value", "JSON 之后还有多余内容。")
	}
	return nil
}

func (j *screenJSONSubjects) option(key string, raw json.RawMessage) error {
	if j.opts == nil {
		return nil // second pass: already read
	}
	switch key {
	case "as_of":
		if err := json.Unmarshal(raw, &j.opts.AsOf); err != nil {
			return badScreen("bad_as_of", "as_of must be a string YYYY-MM-DD", "as_of 应为 YYYY-MM-DD 格式的字符串。")
		}
	case "flags":
		var one string
		if json.Unmarshal(raw, &one) == nil {
			j.opts.Flags = []string{one}
		} else if err := json.Unmarshal(raw, &j.opts.Flags); err != nil {
			return badScreen("bad_flag", "flags must be an array of strings", "flags 应为字符串数组。")
		}
	case "penalty_years":
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			var s string
			if json.Unmarshal(raw, &s) != nil {
				return badScreen("bad_penalty_years", "penalty_years must be a number", "penalty_years 应为数字。")
			}
			n = json.Number(s)
		}
		y, err := screenPenaltyYearsParam(n.String())
		if err != nil {
			return err
		}
		j.opts.PenaltyYears = y
	}
	return nil
}

// subject reads one element: an object {code, name, ref, …} or a bare string (code or name).
func (j *screenJSONSubjects) subject(raw json.RawMessage) (screenSubject, error) {
	s := screenSubject{Subject: index.Subject{Line: j.n}}
	bad := func(what string) error {
		return badScreen("bad_subject", fmt.Sprintf("subject %d: %s", j.n, what), fmt.Sprintf("第 %d 个企业：%s", j.n, what))
	}
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) > 0 && raw[0] == '"':
		var v string
		json.Unmarshal(raw, &v)
		s.Code, s.Name = screenCodeOrName(v)
		return s, nil
	case len(raw) > 0 && (raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9'):
		s.Code = string(raw) // a registration number sent as a number
		return s, nil
	case len(raw) == 0 || raw[0] != '{':
		return s, bad("must be an object {\"code\", \"name\"} or a string")
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return s, bad("malformed object")
	}
	str := func(key string) (string, error) {
		v, ok := obj[key]
		if !ok || string(v) == "null" {
			return "", nil
		}
		var out string
		if json.Unmarshal(v, &out) == nil {
			return screenClip(out, maxScreenCell), nil
		}
		var n json.Number
		if json.Unmarshal(v, &n) == nil {
			return n.String(), nil
		}
		return "", bad(key + " must be a string")
	}
	var err error
	if s.Code, err = str("code"); err != nil {
		return s, err
	}
	if s.Name, err = str("name"); err != nil {
		return s, err
	}
	if ref, ok := obj["ref"]; ok {
		s.Ref.raw = ref
	} else {
		// Other members are the client's own keys: echoed back as ref, like an upload's columns.
		delete(obj, "code")
		delete(obj, "name")
		if len(obj) > 0 {
			s.Ref.raw, _ = json.Marshal(obj)
		}
	}
	if s.Ref.raw != nil && j.opts != nil && len(j.opts.RefHeaders) == 0 {
		j.opts.RefHeaders = []string{"ref"}
	}
	return s, nil
}

// screenCodeOrName puts a bare value where it belongs: code-shaped input is a code.
func screenCodeOrName(v string) (code, name string) {
	v = strings.TrimSpace(screenClip(v, maxScreenCell))
	if screenLooksLikeCode(v) {
		return v, ""
	}
	return "", v
}

// screenLooksLikeCode: only code characters (any width, with spaces or hyphens), a digit, and a
// length that some identifier has after normalising.
func screenLooksLikeCode(v string) bool {
	n := uscc.Normalize(v)
	if n == "" || !strings.ContainsAny(n, "0123456789") {
		return false
	}
	for _, r := range n {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return len(n) >= 8 && len(n) <= 20
}
