package main

import (
	"slices"
	"testing"
)

func TestParseShardCounts(t *testing.T) {
	got, err := parseShardCounts("1, 2,4,2")
	if err != nil || !slices.Equal(got, []int{1, 2, 4}) {
		t.Errorf("parseShardCounts = %v, %v", got, err)
	}
	for _, bad := range []string{"", "0", "1,x", "65"} {
		if _, err := parseShardCounts(bad); err == nil {
			t.Errorf("parseShardCounts(%q) accepted", bad)
		}
	}
}
