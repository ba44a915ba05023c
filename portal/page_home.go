package portal

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gongshi/gongshi/index"
)

type homeView struct {
	Entities int
	Lists    []listLink
	DataDate string
	BuiltAt  time.Time
}

// pageHome: GET / — the big search box, every list with its count, when the data is from.
func (s *Server) pageHome(c *gin.Context) {
	g := s.live.Acquire()
	if g == nil {
		s.pageFail(c, index.ErrNotReady)
		return
	}
	defer g.Release()
	// The counts are the generation's statistics, counted once when it opened.
	st, err := g.Stats(c.Request.Context())
	if err != nil {
		s.pageFail(c, err)
		return
	}
	counts, err := s.publicCounts(c.Request.Context(), g)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	s.render(c, http.StatusOK, "home", layoutView{Section: "home", HideSearch: true, Data: homeView{
		Entities: st.Entities, Lists: listLinksWithCounts(counts), DataDate: g.Info.DataDate, BuiltAt: g.Info.BuiltAt,
	}})
}
