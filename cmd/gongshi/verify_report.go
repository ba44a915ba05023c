package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/portal/report"
)

// cmdVerifyReport: gongshi verify-report FILE [--key PUBKEY] [--data DIR]
//
// Checks a report PDF or JSON offline against public keys the user trusts: a PEM file (as
// published at /reports/public-key.pem) or, on the server, the data folder's keys. Exit status
// 0 when the copy matches, 1 when it does not or is malformed, 2 on a usage error.
func cmdVerifyReport(_ context.Context, args []string) error {
	return verifyReport(args, os.Stdout)
}

func verifyReport(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("verify-report", flag.ContinueOnError)
	keyFile := fs.String("key", "", "trusted public key(s): PEM file from /reports/public-key.pem")
	data := fs.String("data", "", "data folder whose report-keys/ to trust (on the server)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: gongshi verify-report FILE [--key PUBKEY] [--data DIR]")
		fs.PrintDefaults()
	}
	// Flags may come before or after the file.
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return exitError(2)
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(files) != 1 {
		fs.Usage()
		return exitError(2)
	}
	trusted := report.KeySet{}
	if *keyFile != "" {
		b, err := os.ReadFile(*keyFile)
		if err != nil {
			return err
		}
		ks, err := report.ParsePublicKeys(b)
		if err != nil {
			return fmt.Errorf("--key %s: %w", *keyFile, err)
		}
		for id, k := range ks {
			trusted[id] = k
		}
	}
	if *data != "" {
		ks, err := report.LoadPublicKeys(report.KeyDir(index.DataDir(*data)))
		if err != nil {
			return fmt.Errorf("--data %s: %w", *data, err)
		}
		for id, k := range ks {
			trusted[id] = k
		}
	}
	if len(trusted) == 0 {
		// A key found inside the file would only prove that someone signed it, not who.
		return errors.New("no trusted public key: pass --key FILE (download /reports/public-key.pem from the portal) or, on the server, --data DIR")
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		return err
	}
	res, err := report.Verify(b, trusted)
	if errors.Is(err, report.ErrUnknownFormat) {
		fmt.Fprintf(out, "%s：不是 PDF 或 JSON 文件，不是 gongshi 信用报告。\nresult: NO MATCH\n", files[0])
		return exitError(1)
	}
	if err != nil {
		return err
	}
	printResult(out, files[0], res)
	if !res.Match() {
		return exitError(1)
	}
	return nil
}

func printResult(out io.Writer, name string, r *report.Result) {
	yes := func(ok bool, good, bad string) string {
		if ok {
			return good
		}
		return bad
	}
	fmt.Fprintf(out, "文件：%s（%s，SHA-256 %s）\n", name, strings.ToUpper(r.Kind), r.FileSHA256)
	if r.Number != "" {
		fmt.Fprintf(out, "报告编号：%s\n市场主体：%s（%s）\n信息截止日：%s　生成时间：%s\n", r.Number, r.EntityName, r.EntityCode, r.AsOf, r.Generated)
		fmt.Fprintf(out, "内容哈希：%s（%s）\n", r.Hash, yes(r.HashOK, "与签名记录一致", "与签名记录不一致"))
		status := map[string]string{"current": "当前密钥", "retired": "已轮换的历史密钥"}[r.KeyStatus]
		if status == "" {
			status = "不在可信公钥中"
		}
		fmt.Fprintf(out, "内容签名：%s（密钥 %s，%s）\n", yes(r.SignatureOK, "有效", "无效"), r.KeyID, status)
	}
	if r.Kind == "pdf" {
		fmt.Fprintf(out, "文件签名：%s\n", yes(r.FileIntact, "有效（文件未被改动）", "无效"))
	} else {
		fmt.Fprintf(out, "文件原样：%s\n", yes(r.FileIntact, "是（签发时的字节）", "否"))
	}
	for _, p := range r.Problems {
		fmt.Fprintf(out, "  - %s\n", p)
	}
	if r.Malformed {
		fmt.Fprintln(out, "结论：文件已损坏或格式有误（malformed report），读不出签发的报告内容，与任何签发的报告都不一致。\nresult: NO MATCH")
		return
	}
	if r.Match() {
		fmt.Fprintf(out, "结论：一致，是签发的原件。可在核验页面比对文件 SHA-256：/reports/verify/%s\nresult: MATCH\n", r.Number)
	} else {
		fmt.Fprintln(out, "结论：不一致，不能作为签发的报告使用。\nresult: NO MATCH")
	}
}
