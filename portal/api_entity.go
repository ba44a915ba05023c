package portal

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/index/region"
)

// EntityJSON is the public view of an entity and its records.
type EntityJSON struct {
	Code        string            `json:"code"`
	Name        string            `json:"name"`
	Status      string            `json:"status"`
	EntityType  string            `json:"entity_type,omitempty"`
	Region      string            `json:"region,omitempty"`
	RegionName  string            `json:"region_name,omitempty"`
	FormerNames []string          `json:"former_names,omitempty"`
	Fields      map[string]string `json:"fields"`
	Source      index.Source      `json:"source"`
	Records     []*index.Record   `json:"records"`
	AsOf        string            `json:"as_of"`
}

// entityView loads what is public about an entity today; nil when there is no such entity.
func (s *Server) entityView(ctx context.Context, g *index.Generation, input string) (*EntityJSON, error) {
	code, err := g.ResolveCode(ctx, input)
	if err != nil || code == "" {
		return nil, err
	}
	e, err := g.Docs.Entity(ctx, code)
	if err != nil || e == nil {
		return nil, err
	}
	today := s.today()
	recs, err := g.PublicRecords(ctx, code, today)
	if err != nil {
		return nil, err
	}
	// Decisions since the build (撤销, 更正, 信用修复) and objections in progress apply at once.
	if recs, err = index.ApplyOverlay(ctx, recs, s.overlay); err != nil {
		return nil, err
	}
	if recs == nil {
		recs = []*index.Record{}
	}
	return &EntityJSON{Code: e.Code, Name: e.Name, Status: e.Status, EntityType: e.EntityType, Region: e.Region,
		RegionName: region.FullName(e.Region), FormerNames: e.FormerNames, Fields: e.Fields, Source: e.Source,
		Records: recs, AsOf: today}, nil
}

// apiEntity: GET /api/v1/entities/{code}
func (s *Server) apiEntity(c *gin.Context) {
	g := s.live.Acquire()
	if g == nil {
		s.apiFail(c, index.ErrNotReady)
		return
	}
	defer g.Release()
	v, err := s.entityView(c.Request.Context(), g, c.Param("code"))
	if err != nil {
		s.apiFail(c, err)
		return
	}
	if v == nil {
		abortError(c, errorOf(msgEntityNotFound))
		return
	}
	c.JSON(http.StatusOK, v)
}
