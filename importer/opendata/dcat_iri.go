package opendata

import (
	"fmt"
	"net/url"
	"strings"
)

// DefaultPublicURL is the site's absolute URL when none is configured: the address `gongshi
// serve` listens on by default. Every IRI in dcat.jsonld and the homepage in datapackage.json
// start with the public URL, so a site reached under another name must configure its own
// (GONGSHI_PUBLIC_URL, or --public-url on import and serve).
const DefaultPublicURL = "http://localhost:8080"

// PublicURLEnv is the environment variable import and serve read the public URL from.
const PublicURLEnv = "GONGSHI_PUBLIC_URL"

// ParsePublicURL checks a configured public URL and returns it without a trailing slash: an
// absolute http or https URL with a host, and neither query nor fragment (it is a prefix of
// every published IRI). The empty string stays empty (the default applies).
func ParsePublicURL(s string) (string, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "/")
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("public URL %q: %w", s, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "#") {
		return "", fmt.Errorf("public URL %q: want an absolute http:// or https:// URL such as https://gongshi.example.org, without query or fragment", s)
	}
	return s, nil
}

// PublicBase is the absolute URL every published IRI starts with: the configured BaseURL, or
// DefaultPublicURL.
func (o *Options) PublicBase() string {
	if b := strings.TrimRight(o.BaseURL, "/"); b != "" {
		return b
	}
	return DefaultPublicURL
}
