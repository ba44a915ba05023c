package main

import (
	"math"
	"testing"
)

func TestParseMix(t *testing.T) {
	m, err := parseMix("60, 25,10,5")
	if err != nil || math.Abs(m.Search-0.6) > 1e-9 || math.Abs(m.Download-0.05) > 1e-9 {
		t.Errorf("parseMix = %+v, %v", m, err)
	}
	m, err = parseMix("3,1,0,0") // shares are normalised
	if err != nil || m.Search != 0.75 || m.Entity != 0.25 {
		t.Errorf("parseMix = %+v, %v", m, err)
	}
	for _, bad := range []string{"60,25,10", "a,1,1,1", "0,0,0,0", "1,-1,1,1"} {
		if _, err := parseMix(bad); err == nil {
			t.Errorf("parseMix(%q) accepted", bad)
		}
	}
}
