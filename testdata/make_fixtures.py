#!/usr/bin/env python3
"""Writes testdata/snapshots/: agency-style snapshots made by a tool other than gongshi's generator,
so the importer is tested against files it did not write. Run from the repo root; output is committed."""
import csv, hashlib, io, json, os

A = "0123456789ABCDEFGHJKLMNPQRTUWXY"
W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

def uscc(first17):
    s = sum(A.index(c) * w for c, w in zip(first17, W))
    return first17 + A[(31 - s % 31) % 31]

def fw(s):  # full-width form of ASCII letters and digits
    return "".join(chr(ord(c) + 0xFEE0) if c.isalnum() and ord(c) < 128 else c for c in s)

HUAWEI = uscc("91350102MA2XYW01" + "5")
ANTAI = uscc("91350200776049653")          # = 91350200776049653A
LVYUAN = uscc("92350103MA8ABC12" + "3")
CHONGQING = uscc("91500000MA5UKT7" + "7Q")
XIAMEN_BANK = uscc("91350200260130346")
BAD = ANTAI[:17] + ("B" if ANTAI[17] != "B" else "C")

ENTITY_HEADER = ["统一社会信用代码", "企业名称", "类型", "法定代表人", "注册资本", "成立日期", "登记机关", "登记状态", "住所", "注册号", "曾用名"]
entities = [
    [HUAWEI, "福州华威新材料科技有限公司", "有限责任公司（自然人投资或控股）", "陈明", "500万元人民币", "2016-05-12", "福州市鼓楼区市场监督管理局", "存续", "福州市鼓楼区五四路88号", "350102100012345", "福州华威建材有限公司"],
    [ANTAI.lower(), "厦门安泰（福建）贸易有限公司", "有限责任公司", "林华", "1000万元人民币", "2005/7/1", "厦门市市场监督管理局", "在业", "厦门市思明区湖滨南路1号", "", ""],
    [fw(LVYUAN), "鼓楼区绿源小吃店", "个体工商户", "王芳", "", "2019年3月5日", "福州市鼓楼区市场监督管理局", "存续", "福州市鼓楼区东街口", "", ""],
    [CHONGQING, "重庆長江物流有限公司", "有限责任公司", "张强", "2000万元人民币", "20180820", "重庆市市场监督管理局", "注销", "重庆市渝中区解放碑", "", ""],
    [XIAMEN_BANK, "厦门银行股份有限公司", "股份有限公司", "洪琦", "263000万元人民币", "1996-11-30", "厦门市市场监督管理局", "存续", "厦门市思明区湖滨北路101号", "", ""],
    [BAD, "错误校验位测试有限公司", "有限责任公司", "赵六", "", "2020-01-01", "厦门市市场监督管理局", "存续", "", "", ""],
    ["", "缺少代码有限公司", "有限责任公司", "钱七", "", "2020-01-01", "厦门市市场监督管理局", "存续", "", "", ""],
]

PENALTY_HEADER = ["行政相对人名称", "统一社会信用代码", "行政处罚决定书文号", "违法行为类型", "违法事实", "处罚依据", "处罚类别", "处罚内容", "罚款金额(万元)", "处罚决定日期", "公示截止期", "处罚机关"]
penalties = [
    ["福州华威新材料科技有限公司", HUAWEI.lower(), "榕鼓市监处罚〔2025〕12号", "虚假宣传", "发布虚假广告", "《中华人民共和国广告法》第五十五条", "罚款", "罚款5万元", "5", "2025-06-01", "2028-05-31", "福州市鼓楼区市场监督管理局"],
    ["福州华威新材料科技有限公司", HUAWEI, "榕鼓市监处罚〔2026〕3号", "未按规定公示", "未按时公示年报", "《企业信息公示暂行条例》", "通报批评", "通报批评", "", "2026-09-01", "", "福州市鼓楼区市场监督管理局"],
    ["厦门安泰（福建）贸易有限公司", fw(ANTAI), "厦市监罚〔2024〕88号", "产品质量", "销售不合格产品", "《产品质量法》第四十九条", "罚款;没收违法所得", "罚款10万元", "10", "2024-02-02", "", "厦门市市场监督管理局"],
    ["厦门安泰（福建）贸易有限公司", ANTAI, "厦市监罚〔2024〕89号", "其他", "轻微违法", "", "警告", "警告", "", "2024-02-03", "", "厦门市市场监督管理局"],
    ["重庆长江物流有限公司", CHONGQING, "渝市监罚〔2023〕7号", "其他", "超范围经营", "", "罚款", "罚款0.5万元", "0.5", "2023-01-10", "2023-04-09", "重庆市市场监督管理局"],
    ["日期错误有限公司", XIAMEN_BANK, "厦市监罚〔2024〕99号", "其他", "", "", "罚款", "", "1", "2024-02-30", "", "厦门市市场监督管理局"],
]

LIST_HEADER = ["统一社会信用代码", "企业名称", "列入原因", "列入日期", "列入决定机关", "移出原因", "移出日期", "移出决定机关"]
abnormal = [
    [HUAWEI, "福州华威新材料科技有限公司", "未按照规定的期限公示年度报告", "2023-07-01", "福州市鼓楼区市场监督管理局", "已依法补报年度报告", "2023-10-15", "福州市鼓楼区市场监督管理局"],
    [ANTAI, "厦门安泰（福建）贸易有限公司", "通过登记的住所或者经营场所无法联系", "2025-03-01", "厦门市市场监督管理局", "", "", ""],
]
blacklist = [
    [CHONGQING, "重庆长江物流有限公司", "被列入经营异常名录届满3年仍未履行相关义务", "2024-05-20", "重庆市市场监督管理局", "", "", ""],
]

def write_csv(path, header, rows, encoding):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    data = buf.getvalue().encode(encoding)
    with open(path, "wb") as f:
        f.write(data)
    return hashlib.sha256(data).hexdigest()

def snapshot(name, files, date="2026-11-01", kind="full", publisher="福建省市场监督管理局（测试）"):
    d = os.path.join("testdata", "snapshots", name)
    os.makedirs(d, exist_ok=True)
    mf = []
    for fname, typ, header, rows, enc in files:
        mf.append({"path": fname, "type": typ, "sha256": write_csv(os.path.join(d, fname), header, rows, enc), "rows": len(rows)})
    with open(os.path.join(d, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump({"publisher": publisher, "snapshot_date": date, "kind": kind, "files": mf}, f, ensure_ascii=False, indent=2)

snapshot("agency-2026-11-01", [
    ("登记信息.csv", "entity", ENTITY_HEADER, entities, "utf-8-sig"),
    ("行政处罚.csv", "penalty", PENALTY_HEADER, penalties, "gb18030"),
    ("经营异常名录.csv", "abnormal", LIST_HEADER, abnormal, "utf-8"),
    ("严重违法失信名单.csv", "blacklist", LIST_HEADER, blacklist, "gb18030"),
])

# A damaged copy: the penalty file is cut short after writing, so its checksum no longer matches.
snapshot("damaged-2026-11-02", [
    ("登记信息.csv", "entity", ENTITY_HEADER, entities[:5], "utf-8-sig"),
    ("行政处罚.csv", "penalty", PENALTY_HEADER, penalties[:3], "gb18030"),
], date="2026-11-02")
p = os.path.join("testdata", "snapshots", "damaged-2026-11-02", "行政处罚.csv")
data = open(p, "rb").read()
open(p, "wb").write(data[: len(data) - 40])

# A bare GB18030 blacklist file without manifest (imported with its type recognised from headers + name).
write_csv(os.path.join("testdata", "snapshots", "严重违法失信名单-bare.csv"), LIST_HEADER, blacklist, "gb18030")
print("codes:", HUAWEI, ANTAI, LVYUAN, CHONGQING, XIAMEN_BANK, "bad:", BAD)
