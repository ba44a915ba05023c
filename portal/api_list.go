package portal

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/gongshi/gongshi/index"
)

// listRequest reads the list parameters shared by the list page and the API.
func listRequest(c *gin.Context, t index.RecordType) (index.ListRequest, error) {
	r := index.ListRequest{
		Type:      t,
		Region:    c.Query("region"),
		Year:      c.Query("year"),
		Authority: c.Query("authority"),
		Name:      c.Query("name"),
		State:     c.Query("state"),
		Cursor:    c.Query("cursor"),
		Facets:    true,
	}
	if r.State != "" && !t.HasListState() {
		return r, &index.BadRequestError{Code: "bad_state", Message: "只有严重违法失信名单、经营异常名录和失信被执行人可以按列入状态筛选。",
			MessageEN: "state applies only to blacklist, abnormal and dishonest-debtors"}
	}
	if sz := c.Query("size"); sz != "" {
		n, err := strconv.Atoi(sz)
		if err != nil || n < 1 {
			return r, &index.BadRequestError{Code: "bad_size", Message: "每页条数应为 1–50 的整数。", MessageEN: "size must be an integer from 1 to 50"}
		}
		r.Size = n
	}
	return r, nil
}

// listParams are the query parameters of the list API; searchParams those of the search API.
var (
	listParams   = []string{"region", "year", "authority", "name", "state", "size", "cursor"}
	searchParams = []string{"q", "region", "status", "type", "has", "size", "cursor"}
)

// refuseUnknownParams answers 400 and reports true when the query has parameters the API does
// not know: a filter it does not have (severity=严重) or a misspelt one must not return the whole
// list as if it had been applied. The answer names them and the parameters the API takes.
func refuseUnknownParams(c *gin.Context, known []string) bool {
	var unknown []string
	for k := range c.Request.URL.Query() {
		if !slices.Contains(known, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return false
	}
	slices.Sort(unknown)
	c.AbortWithStatusJSON(http.StatusBadRequest, gin.H{
		"error": &Error{Status: http.StatusBadRequest, Code: "unknown_parameter",
			Message:   fmt.Sprintf("unknown query parameter %s; this API takes %s", strings.Join(unknown, ", "), strings.Join(known, ", ")),
			MessageZH: fmt.Sprintf("不支持的查询参数：%s。可用参数为 %s。", strings.Join(unknown, "、"), strings.Join(known, "、"))},
		"unknown_parameters": unknown,
		"allowed_parameters": known,
	})
	return true
}

// apiList: GET /api/v1/lists/:list?region=&year=&authority=&name=&state=&size=&cursor=
func (s *Server) apiList(c *gin.Context) {
	t := index.ListType(c.Param("list"))
	if t == "" {
		abortError(c, errorOf(msgListNotFound))
		return
	}
	if refuseUnknownParams(c, listParams) {
		return
	}
	r, err := listRequest(c, t)
	if err != nil {
		s.apiFail(c, err)
		return
	}
	res, err := s.searcher.List(c.Request.Context(), r)
	if err != nil {
		s.apiFail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}
