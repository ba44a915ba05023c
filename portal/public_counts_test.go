package portal

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gongshi/gongshi/index"
)

// The home and statistics pages count what each list's page shows today, not every record
// the generation holds: the fixture's penalties include one past its publication period.
func TestListCountsAreWhatIsPublicToday(t *testing.T) {
	s, ts := testServer(t)
	g := s.live.Acquire()
	st, err := g.Stats(context.Background())
	g.Release()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range index.Lists {
		var list index.ListResponse
		getJSON(t, ts.URL+"/api/v1/lists/"+l.Name, 200, &list)
		for page, pattern := range map[string]string{
			"/":      `list-` + l.Name + `"><a href="/lists/` + l.Name + `">[^<]*</a><span class="count">([0-9,]+) 条`,
			"/stats": `<a href="/lists/` + l.Name + `"><span class="num">([0-9,]+)</span>`,
		} {
			m := regexp.MustCompile(pattern).FindStringSubmatch(getBody(t, ts.URL+page))
			if m == nil {
				t.Fatalf("%s: no count for %s", page, l.Name)
			}
			n, _ := strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
			if n != int(list.Total) {
				t.Errorf("%s: %s counted %d, its page shows %d", page, l.Name, n, list.Total)
			}
		}
		if l.Type == index.TypePenalty && int(list.Total) >= st.Records[l.Type] {
			t.Errorf("penalties: %d public of %d held; the fixture has one past its period", list.Total, st.Records[l.Type])
		}
	}
}
