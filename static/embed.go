// Package static holds the portal's stylesheet, script and icon, embedded in the binary and
// served under /static/ with a content hash in the URL.
package static

import "embed"

// FS holds every asset.
//
//go:embed app.css app.js favicon.svg
var FS embed.FS
