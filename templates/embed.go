// Package templates holds the portal's HTML templates: common/ has the shared layout and
// partials, every other file is one page.
package templates

import "embed"

// FS holds every template.
//
//go:embed *.html common/*.html
var FS embed.FS
