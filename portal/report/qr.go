package report

import (
	"fmt"
	"strings"

	"rsc.io/qr"
)

// quietZone is the blank margin, in modules, that scanners need around a QR code.
const quietZone = 4

// qrRuns returns the dark modules of text's QR code as horizontal runs (x, y, length), so both
// renderers draw a few dozen shapes instead of hundreds of squares.
func qrRuns(text string) (size int, runs [][3]int, err error) {
	// Level M survives a smudged printout and keeps a short URL at 25×25 or 29×29 modules.
	c, err := qr.Encode(text, qr.M)
	if err != nil {
		return 0, nil, err
	}
	for y := 0; y < c.Size; y++ {
		for x := 0; x < c.Size; {
			if !c.Black(x, y) {
				x++
				continue
			}
			start := x
			for x < c.Size && c.Black(x, y) {
				x++
			}
			runs = append(runs, [3]int{start, y, x - start})
		}
	}
	return c.Size, runs, nil
}

// QRSVG is text's QR code as an inline SVG element (no style attribute: the portal's CSP has
// no 'unsafe-inline'), labelled for screen readers.
func QRSVG(text, label string) (string, error) {
	size, runs, err := qrRuns(text)
	if err != nil {
		return "", err
	}
	full := size + 2*quietZone
	var d strings.Builder
	for _, r := range runs {
		fmt.Fprintf(&d, "M%d %dh%dv1h-%dz", r[0]+quietZone, r[1]+quietZone, r[2], r[2])
	}
	return fmt.Sprintf(`<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="132" height="132" role="img" aria-label="%s" shape-rendering="crispEdges"><rect width="%d" height="%d" fill="#fff"/><path d="%s" fill="#000"/></svg>`,
		full, full, escapeAttr(label), full, full, d.String()), nil
}

func escapeAttr(s string) string {
	return strings.NewReplacer("&", "&amp;", `"`, "&quot;", "<", "&lt;", ">", "&gt;").Replace(s)
}
