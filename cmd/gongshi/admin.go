package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/gongshi/gongshi/portal/store"
)

// cmdAdmin manages back-office users, API tokens and the audit log.
func cmdAdmin(ctx context.Context, args []string) error {
	usage := `usage:
  gongshi admin user add NAME --role reviewer|admin [--authority AUTHORITY]   (password read from stdin)
  gongshi admin token create NAME [--label LABEL]                             (prints the token once)
  gongshi admin audit verify
  gongshi admin db version                                                    (schema versions applied, after migrating)
common flags: --data DIR, --db URL`
	if len(args) < 2 {
		fmt.Fprintln(os.Stderr, usage)
		return exitError(2)
	}
	what := args[0] + " " + args[1]
	fs := flag.NewFlagSet("admin "+what, flag.ExitOnError)
	data := fs.String("data", envOr("GONGSHI_DATA", "data"), "data folder (for the default SQLite store)")
	db := fs.String("db", os.Getenv("GONGSHI_DB"), "postgres:// URL (default: SQLite in the data folder)")
	role := fs.String("role", store.RoleReviewer, "reviewer or admin")
	authority := fs.String("authority", "", "limit a reviewer to the records of this authority")
	label := fs.String("label", "api", "what the token is for")
	rest := args[2:]
	var name string
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		name, rest = rest[0], rest[1:]
	}
	fs.Parse(rest)
	if err := os.MkdirAll(*data, 0o755); err != nil {
		return err
	}
	st, err := store.Open(ctx, *db, *data)
	if err != nil {
		return err
	}
	defer st.Close()
	switch what {
	case "user add":
		if name == "" {
			fmt.Fprintln(os.Stderr, usage)
			return exitError(2)
		}
		fmt.Fprint(os.Stderr, "password (at least 12 characters): ")
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("read password: %w", err)
		}
		u, err := st.CreateUser(ctx, name, *role, *authority, strings.TrimRight(line, "\r\n"), "admin-cli")
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "\nuser %s (%s) added\n", u.Name, u.Role)
	case "token create":
		if name == "" {
			fmt.Fprintln(os.Stderr, usage)
			return exitError(2)
		}
		tok, err := st.CreateToken(ctx, name, *label)
		if err != nil {
			return err
		}
		fmt.Println(tok)
		fmt.Fprintln(os.Stderr, "keep this token: it is shown only once (send it as Authorization: Bearer …)")
	case "audit verify":
		n, err := st.VerifyAudit(ctx)
		if err != nil {
			return fmt.Errorf("audit log broken after %d good entries: %w", n, err)
		}
		fmt.Printf("audit log verified: %d entries, chain intact\n", n)
	case "db version":
		versions, err := st.SchemaVersions(ctx)
		if err != nil {
			return err
		}
		for _, v := range versions {
			fmt.Printf("%d\t%s\t%s\n", v.Version, v.AppliedAt, v.Name)
		}
	default:
		fmt.Fprintln(os.Stderr, usage)
		return exitError(2)
	}
	return nil
}
