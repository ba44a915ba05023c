package index

import (
	"context"
	"reflect"
	"testing"

	"github.com/gongshi/gongshi/index/uscc"
)

func cardOf(e *Entity) Entity {
	return Entity{Code: e.Code, Name: e.Name, Status: e.Status, EntityType: e.EntityType, Region: e.Region, FormerNames: e.FormerNames}
}

// Cards show what the documents say, and go with the entities they belong to.
func TestEntityCards(t *testing.T) {
	ctx := context.Background()
	path := DocStorePath(t.TempDir())
	docs, err := OpenDocStore(path, false)
	if err != nil {
		t.Fatal(err)
	}
	w, err := docs.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for i, e := range []*Entity{
		{Name: "福州华为技术有限公司", Status: "存续", EntityType: "有限责任公司", Fields: map[string]string{"address": "福州"}},
		{Name: "华威（福建）新材料科技有限公司", Status: "注销", EntityType: "股份有限公司", FormerNames: []string{"福州华威建材有限公司", "华威建材"}},
		{Name: `引号"与\反斜杠商行`, Status: "在业", EntityType: "个体工商户"},
	} {
		e.Code = code(t, "91350102MA2XYW01"+string(rune('5'+i)))
		e.Region = uscc.Region(e.Code)
		codes = append(codes, e.Code)
		if err := w.PutEntity(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	check := func(s *DocStore, how string) {
		t.Helper()
		full, err := s.Entities(ctx, codes)
		if err != nil {
			t.Fatal(err)
		}
		cards, err := s.Cards(ctx, append(codes, "91350102MA2XYW0999"))
		if err != nil {
			t.Fatal(err)
		}
		if len(cards) != len(codes) {
			t.Fatalf("%s: %d cards for %d entities", how, len(cards), len(codes))
		}
		for _, c := range codes {
			if got, want := cardOf(cards[c]), cardOf(full[c]); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: card %+v, document %+v", how, got, want)
			}
		}
	}
	check(docs, "written")
	docs.Close()

	// Withdrawing the register removes the cards with the entities.
	s, _ := OpenDocStore(path, false)
	defer s.Close()
	w, _ = s.Begin(ctx)
	if _, err := w.MarkWithdrawable(TypeEntity, ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.WithdrawEntities(); err != nil {
		t.Fatal(err)
	}
	w.Commit()
	if cards, err := s.Cards(ctx, codes); err != nil || len(cards) != 0 {
		t.Fatalf("after WithdrawEntities: %d cards, %v", len(cards), err)
	}
}
