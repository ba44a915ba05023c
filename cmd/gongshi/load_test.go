package main

import (
	"fmt"
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

func TestAffinityList(t *testing.T) {
	for out, want := range map[string]string{
		"pid 12's current affinity list: 0,1\n":  "[0 1]",
		"pid 7's current affinity list: 0-2,5":   "[0 1 2 5]",
		"pid 7's current affinity list: 3":       "[3]",
		"pid 7's current affinity list: 4-4,6-7": "[4 6 7]",
	} {
		got, err := affinityList(out)
		if err != nil || fmt.Sprint(got) != want {
			t.Errorf("affinityList(%q) = %v, %v; want %s", out, got, err, want)
		}
	}
	for _, bad := range []string{"no list here", "pid 1's current affinity list: a-b", "pid 1's current affinity list: 3-1"} {
		if _, err := affinityList(bad); err == nil {
			t.Errorf("affinityList(%q) accepted", bad)
		}
	}
}
