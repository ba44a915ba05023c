package tabular

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// jsonlSource reads one JSON object per line. The header is the first object's keys;
// keys that first appear in later objects are ignored, because a streamed file cannot
// grow columns after rows have been handed out.
type jsonlSource struct {
	br      *bufio.Reader
	buf     []byte
	line    int
	head    []string
	index   map[string]int
	pending *Row
}

func openJSONL(r io.Reader) (*jsonlSource, error) {
	s := &jsonlSource{br: bufio.NewReaderSize(r, 64<<10), index: map[string]int{}}
	for {
		b, tooLong, err := s.readLine()
		if err == io.EOF {
			return nil, fmt.Errorf("JSONL: %w", ErrNoHeader)
		}
		if err != nil {
			return nil, fmt.Errorf("read JSONL: %w", err)
		}
		if tooLong {
			return nil, fmt.Errorf("JSONL line %d: longer than %d bytes", s.line, MaxRecordBytes)
		}
		if s.line == 1 {
			b = bytes.TrimPrefix(b, utf8BOM)
		}
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		keys, vals, err := parseObject(b)
		if err != nil {
			return nil, fmt.Errorf("JSONL line %d: first record %s", s.line, err)
		}
		for _, k := range cleanHeader(slices.Clone(keys)) {
			if _, dup := s.index[k]; dup {
				continue // a repeated key is one column; its last value wins, as in encoding/json
			}
			s.index[k] = len(s.head)
			s.head = append(s.head, k)
		}
		if len(s.head) > MaxColumns {
			return nil, fmt.Errorf("JSONL line %d: first record has more than %d keys", s.line, MaxColumns)
		}
		row, err := s.align(keys, vals)
		if err != nil {
			var re *RowError
			if errors.As(err, &re) {
				return nil, fmt.Errorf("JSONL line %d: first record %s", s.line, re.Reason)
			}
			return nil, err
		}
		s.pending = &row
		return s, nil
	}
}

// readLine returns the next line without its newline. A line longer than
// MaxRecordBytes is drained without being kept and reported as tooLong.
func (s *jsonlSource) readLine() (line []byte, tooLong bool, err error) {
	s.buf = s.buf[:0]
	read := false
	for {
		chunk, err := s.br.ReadSlice('\n')
		read = read || len(chunk) > 0
		if !tooLong {
			if len(s.buf)+len(chunk) > MaxRecordBytes+1 { // +1 for the newline
				tooLong, s.buf = true, s.buf[:0]
			} else {
				s.buf = append(s.buf, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == io.EOF && read {
			err = nil
		}
		if err != nil {
			return nil, false, err
		}
		s.line++
		return bytes.TrimRight(s.buf, "\r\n"), tooLong, nil
	}
}

func (s *jsonlSource) header() []string { return s.head }
func (s *jsonlSource) encoding() string { return "jsonl" }
func (s *jsonlSource) close() error     { return nil }

func (s *jsonlSource) next() (Row, error) {
	if s.pending != nil {
		row := *s.pending
		s.pending = nil
		return row, nil
	}
	for {
		b, tooLong, err := s.readLine()
		if err == io.EOF {
			return Row{}, io.EOF
		}
		if err != nil {
			return Row{}, fmt.Errorf("read JSONL: %w", err)
		}
		if tooLong {
			return Row{}, &RowError{Line: s.line, Reason: fmt.Sprintf("longer than %d bytes", MaxRecordBytes)}
		}
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		keys, vals, err := parseObject(b)
		if err != nil {
			return Row{}, &RowError{Line: s.line, Reason: err.Error()}
		}
		return s.align(keys, vals)
	}
}

// align puts the values of one object under the header's columns; a value over MaxCellBytes
// rejects the row, as in the other formats, even under a key that is not a column.
func (s *jsonlSource) align(keys, vals []string) (Row, error) {
	if err := cellTooLong(s.line, vals, keys); err != nil {
		return Row{}, err
	}
	row := Row{Line: s.line, Values: make([]string, len(s.head))}
	for i, k := range keys {
		if j, ok := s.index[strings.TrimFunc(k, headerTrim)]; ok {
			row.Values[j] = vals[i]
		}
	}
	return row, nil
}

// parseObject splits one JSON object into its keys in document order and their values
// as text; a map would lose the order the header needs.
func parseObject(b []byte) (keys, vals []string, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("not a JSON object: %w", err)
		}
	}()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, nil, truncated(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, nil, fmt.Errorf("found %s", kindOf(tok))
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, truncated(err)
		}
		key, _ := tok.(string) // the decoder only yields strings in key position
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, truncated(err)
		}
		v, err := cellText(raw)
		if err != nil {
			return nil, nil, truncated(err)
		}
		keys, vals = append(keys, key), append(vals, v)
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, nil, truncated(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, errors.New("data after the closing brace")
	}
	return keys, vals, nil
}

// cellText renders a JSON value as a cell: strings unquoted, numbers in their literal
// spelling (no float rounding of long codes), null empty, and nested values as compact JSON.
func cellText(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", nil
	}
	switch raw[0] {
	case '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case 'n':
		return "", nil
	case '{', '[':
		var buf bytes.Buffer
		err := json.Compact(&buf, raw)
		return buf.String(), err
	}
	return string(raw), nil
}

// truncated names the end of the line, which json reports as a bare io.EOF.
func truncated(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func kindOf(tok json.Token) string {
	switch tok.(type) {
	case json.Delim:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return "null"
}
