package report

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"sync"
)

// The two embedded faces (see fonts/README.md): Droid Sans Fallback has the Chinese characters
// but no Latin letters or digits at all, so Latin runs are set in Liberation Sans. fpdf embeds
// only the glyphs a report uses of each.
var (
	//go:embed fonts/DroidSansFallbackFull.ttf
	cjkTTF []byte
	//go:embed fonts/LiberationSans-Regular.ttf
	latinTTF []byte
)

const (
	fontCJK   = "cjk"
	fontLatin = "latin"
)

// glyphSet is the set of BMP characters a font maps to a glyph.
type glyphSet [65536 / 8]byte

func (c *glyphSet) has(r rune) bool { return r >= 0 && r < 65536 && c[r>>3]&(1<<(r&7)) != 0 }

var (
	coverOnce            sync.Once
	latinCover, cjkCover *glyphSet
)

func covers() (*glyphSet, *glyphSet) {
	coverOnce.Do(func() {
		// The fonts are committed files: a parse failure is caught by the tests, and leaves
		// every character to the range rule below.
		latinCover, _ = cmapCoverage(latinTTF)
		cjkCover, _ = cmapCoverage(cjkTTF)
	})
	return latinCover, cjkCover
}

// faceFor picks the face that has r: Latin for what Liberation Sans covers below the CJK
// blocks, Droid Sans Fallback otherwise.
func faceFor(r rune) string {
	latin, cjk := covers()
	switch {
	case r < 0x2E80 && latin != nil && latin.has(r):
		return fontLatin
	case cjk != nil && cjk.has(r):
		return fontCJK
	case r < 0x2E80:
		return fontLatin
	}
	return fontCJK
}

// cmapCoverage reads the format 4 (BMP, Windows Unicode) character map of a TrueType font.
func cmapCoverage(ttf []byte) (*glyphSet, error) {
	bad := errors.New("truetype: no usable cmap")
	u16 := func(off int) int {
		if off < 0 || off+2 > len(ttf) {
			return -1
		}
		return int(binary.BigEndian.Uint16(ttf[off:]))
	}
	u32 := func(off int) int {
		if off < 0 || off+4 > len(ttf) {
			return -1
		}
		return int(binary.BigEndian.Uint32(ttf[off:]))
	}
	cmap := -1
	for i, n := 0, u16(4); i < n; i++ {
		rec := 12 + 16*i
		if string(ttf[rec:rec+4]) == "cmap" {
			cmap = u32(rec + 8)
		}
	}
	if cmap < 0 {
		return nil, bad
	}
	sub := -1
	for i, n := 0, u16(cmap+2); i < n; i++ {
		rec := cmap + 4 + 8*i
		pid, eid, off := u16(rec), u16(rec+2), u32(rec+4)
		if (pid == 3 && eid == 1 || pid == 0) && u16(cmap+off) == 4 {
			sub = cmap + off
			break
		}
	}
	if sub < 0 {
		return nil, bad
	}
	segs := u16(sub+6) / 2
	ends, starts := sub+14, sub+16+2*segs
	deltas, ranges := starts+2*segs, starts+4*segs
	var c glyphSet
	for i := 0; i < segs; i++ {
		end, start, delta, ro := u16(ends+2*i), u16(starts+2*i), u16(deltas+2*i), u16(ranges+2*i)
		if end < 0 || start < 0 || delta < 0 || ro < 0 {
			return nil, bad
		}
		for ch := start; ch <= end && ch < 0xFFFF; ch++ {
			g := (ch + delta) & 0xFFFF
			if ro != 0 {
				if g = u16(ranges + 2*i + ro + 2*(ch-start)); g > 0 {
					g = (g + delta) & 0xFFFF
				}
			}
			if g > 0 {
				c[ch>>3] |= 1 << (ch & 7)
			}
		}
	}
	return &c, nil
}

// run is a piece of text set in one face.
type run struct {
	face, text string
}

// runs splits text into pieces by face.
func runs(text string) []run {
	var out []run
	start, face := 0, ""
	for i, r := range text {
		f := faceFor(r)
		if r == ' ' && face != "" {
			f = face // a space joins the run it is in
		}
		if f != face && i > 0 {
			out = append(out, run{face, text[start:i]})
			start = i
		}
		face = f
	}
	if start < len(text) {
		out = append(out, run{face, text[start:]})
	}
	return out
}
