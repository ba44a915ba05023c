package portal

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/gongshi/gongshi/importer/opendata"
)

// changesPage is the answer of /api/v1/changes.
type changesPage struct {
	List       string            `json:"list"`
	Changes    []opendata.Change `json:"changes"`
	NextCursor string            `json:"next_cursor"`
	HasMore    bool              `json:"has_more"`
}

const (
	defaultChangesSize = 100
	maxChangesSize     = 1000
)

// The cursor names the list and the last sequence number seen: entries are only appended, so
// "everything after seq N" never skips one, whenever the next page is asked for.
func encodeChangeCursor(list string, seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(list + ":" + strconv.FormatInt(seq, 10)))
}

func decodeChangeCursor(list, cursor string) (int64, bool) {
	if len(cursor) > 100 {
		return 0, false
	}
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return 0, false
	}
	l, n, ok := strings.Cut(string(b), ":")
	seq, err := strconv.ParseInt(n, 10, 64)
	return seq, ok && l == list && err == nil && seq >= 0
}

// apiChanges: GET /api/v1/changes?list=&since=YYYY-MM-DD&cursor=&size= — a list's changes
// (added, removed, modified, with the reason where known) in the order they were published.
// Keep polling with next_cursor: it is returned even when there is nothing new.
func (s *Server) apiChanges(c *gin.Context) {
	list := c.Query("list")
	if _, ok := dataset(list); !ok {
		names := make([]string, 0, 8)
		for _, l := range opendata.Lists() {
			names = append(names, l.Name)
		}
		abortError(c, errorOf(msgBadList, strings.Join(names, ", "), strings.Join(names, "、")))
		return
	}
	since := c.Query("since")
	if since != "" && !opendata.ValidDay(since) {
		abortError(c, errorOf(msgBadSince))
		return
	}
	after := int64(-1)
	if cur := c.Query("cursor"); cur != "" {
		seq, ok := decodeChangeCursor(list, cur)
		if !ok {
			abortError(c, errorOf(msgBadCursor))
			return
		}
		after = seq
	}
	size := defaultChangesSize
	if v := c.Query("size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxChangesSize {
			abortError(c, errorOf(msgBadSize))
			return
		}
		size = n
	}
	page, err := opendata.ReadChanges(s.openDataRoot(), list, after, since, size)
	var gone *opendata.ErrGone
	if errors.As(err, &gone) {
		c.AbortWithStatusJSON(http.StatusGone, gin.H{"error": gin.H{
			"code":          "gone",
			"message":       "changes before " + gone.OldestDay + " are no longer kept; start again from since=" + gone.OldestDay + " after reloading the dated files",
			"message_zh":    gone.OldestDay + " 之前的变更已不再保留；请重新下载最新文件后，从 since=" + gone.OldestDay + " 开始获取。",
			"oldest_day":    gone.OldestDay,
			"oldest_cursor": encodeChangeCursor(list, gone.OldestSeq),
		}})
		return
	}
	var past *opendata.ErrCursorPastEnd
	if errors.As(err, &past) {
		abortError(c, errorOf(msgCursorPastEnd))
		return
	}
	if err != nil {
		s.apiFail(c, err)
		return
	}
	c.JSON(http.StatusOK, changesPage{List: list, Changes: page.Changes, NextCursor: encodeChangeCursor(list, page.LastSeq), HasMore: page.More})
}
