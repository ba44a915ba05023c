package portal

import "net/http"

// msgID names one message of the catalogue.
type msgID int

const (
	msgNotReady msgID = iota
	msgInternal
	msgNotFound
	msgTooLarge
	msgUploadTooLarge
	msgUnauthorized
	msgCrossOrigin
	msgRateLimited // seconds to wait
	msgEntityNotFound
	msgListNotFound
	msgReportNotFound
	msgNoOpenData
	msgListNotPublished
	msgBadList // list names joined in English, then in Chinese
	msgBadSince
	msgBadCursor
	msgCursorPastEnd
	msgBadSize
	msgBadFilter
	msgBadBody
	msgBadAction
	msgBadFormat
	msgScreenInternal
	msgCount
)

// catalogue holds the portal's fixed error messages: status, code, English, Chinese. Messages
// with arguments are formats; both languages take the same arguments in the same order.
var catalogue = [msgCount]struct {
	status       int
	code, en, zh string
}{
	msgNotReady:         {http.StatusServiceUnavailable, "not_ready", "the index is loading; try again shortly", "数据正在加载，请稍后再试。"},
	msgInternal:         {http.StatusInternalServerError, "internal", "internal error; it has been logged", "服务器内部错误，已记录。"},
	msgNotFound:         {http.StatusNotFound, "not_found", "no such page or resource", "页面或资源不存在。"},
	msgTooLarge:         {http.StatusRequestEntityTooLarge, "too_large", "request body too large", "上传内容过大。"},
	msgUploadTooLarge:   {http.StatusRequestEntityTooLarge, "too_large", "the upload is too large", "上传内容过大。"},
	msgUnauthorized:     {http.StatusUnauthorized, "unauthorized", "a valid reviewer API token is required", "需要有效的审核人员 API 令牌。"},
	msgCrossOrigin:      {http.StatusForbidden, "cross_origin", "cross-site request refused", "已拒绝跨站提交的请求。"},
	msgRateLimited:      {http.StatusTooManyRequests, "rate_limited", "too many requests; retry after %d seconds", "请求过于频繁，请 %d 秒后再试。"},
	msgEntityNotFound:   {http.StatusNotFound, "entity_not_found", "no entity with this code", "未找到该代码对应的市场主体。"},
	msgListNotFound:     {http.StatusNotFound, "list_not_found", "no such list", "没有这个名单。"},
	msgReportNotFound:   {http.StatusNotFound, "report_not_found", "no report with this number was issued here", "本平台没有签发该编号的信用报告。"},
	msgNoOpenData:       {http.StatusNotFound, "no_open_data", "no open data has been published yet", "尚未发布开放数据。"},
	msgListNotPublished: {http.StatusNotFound, "no_open_data", "this list has no published version yet", "该名单尚无已发布的版本。"},
	msgBadList:          {http.StatusBadRequest, "bad_list", "list must be one of %[1]s", "list 参数应为名单名称：%[2]s。"},
	msgBadSince:         {http.StatusBadRequest, "bad_since", "since must be a date YYYY-MM-DD", "since 参数应为日期 YYYY-MM-DD。"},
	msgBadCursor:        {http.StatusBadRequest, "bad_cursor", "cursor is invalid or belongs to another list", "游标无效或属于其他名单。"},
	msgCursorPastEnd: {http.StatusBadRequest, "bad_cursor", "cursor points beyond the end of the change log; use a next_cursor this API returned",
		"游标超出了变更记录的末尾；请使用本接口返回的 next_cursor。"},
	msgBadSize:   {http.StatusBadRequest, "bad_size", "size must be an integer from 1 to 1000", "size 参数应为 1–1000 的整数。"},
	msgBadFilter: {http.StatusBadRequest, "bad_filter", "unknown state or kind", "未知的状态或类型。"},
	msgBadBody:   {http.StatusBadRequest, "bad_body", "body must be JSON {action, reason, outcome, fields}", "请求体应为 JSON：action、reason、outcome、fields。"},
	msgBadAction: {http.StatusBadRequest, "bad_action", "supplement is the applicant's action", "补正材料由申请人提交。"},
	msgBadFormat: {http.StatusBadRequest, "bad_format", "format must be json, jsonl, csv or xlsx", "输出格式应为 json、jsonl、csv 或 xlsx。"},
	msgScreenInternal: {http.StatusInternalServerError, "internal", "screening stopped by an internal error; the results are incomplete",
		"筛查因服务器内部错误中断，结果不完整，请稍后重试。"},
}

// pageTexts are the error pages' default title and message, by status.
var pageTexts = map[int][2]string{
	http.StatusBadRequest:            {"请求有误", "请求中的参数无法识别，请检查后重试。"},
	http.StatusNotFound:              {"页面不存在", "您要找的页面不存在，可能链接有误或页面已被移除。"},
	http.StatusRequestEntityTooLarge: {"上传内容过大", "请减小附件大小后重新提交。"},
	http.StatusTooManyRequests:       {"请求过于频繁", "您在短时间内发出的请求太多，请稍等片刻再试。批量获取数据请使用开放数据下载。"},
	http.StatusInternalServerError:   {"服务器出错了", "服务器处理请求时出现错误，已自动记录，请稍后再试。"},
	http.StatusServiceUnavailable:    {"服务暂时不可用", "数据正在加载或系统正在维护，请稍后再试。"},
}
