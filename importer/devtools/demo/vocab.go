package demo

// Curated vocabularies. The weights are rough impressions of how often each value appears
// in published registers, not statistics; they only need to make the common look common.

// Industry groups drive what goes with an industry word: business scope, licences and
// the violations an agency is likely to find.
const (
	grpTech = iota
	grpTrade
	grpBuild
	grpFood
	grpLogistics
	grpRealty
	grpMed
	grpAgri
	grpMfg
	grpService
	grpCulture
	grpFinance
	grpEdu
	grpConsult
	nGroups
)

// industry is a 行业用语 (the industry part of a name) and its group.
type industry struct {
	word string
	w    float64
	grp  int
}

var commonIndustries = []industry{
	{"科技", 14, grpTech}, {"网络科技", 4, grpTech}, {"信息技术", 4, grpTech}, {"智能科技", 2, grpTech},
	{"电子商务", 4, grpTrade}, {"贸易", 7, grpTrade}, {"商贸", 5, grpTrade}, {"建筑工程", 3, grpBuild},
	{"餐饮管理", 3, grpFood}, {"新材料科技", 1.5, grpMfg}, {"物流", 2.5, grpLogistics}, {"房地产开发", 1.2, grpRealty},
	{"食品", 2.5, grpFood}, {"医药", 1.2, grpMed}, {"文化传媒", 3.5, grpCulture}, {"农业开发", 1.5, grpAgri},
	{"企业管理咨询", 2.5, grpConsult}, {"装饰工程", 2.5, grpBuild}, {"建材", 1.5, grpTrade}, {"机械设备", 1.5, grpMfg},
	{"环保科技", 1.5, grpTech}, {"教育咨询", 1.2, grpEdu}, {"劳务", 1.5, grpService}, {"供应链管理", 1.5, grpLogistics},
	{"汽车服务", 1.2, grpService}, {"生物科技", 1.5, grpMed}, {"健康管理", 1.2, grpMed}, {"广告", 1.2, grpCulture},
	{"物业管理", 1.2, grpRealty}, {"投资", 0.8, grpFinance}, {"实业", 1.5, grpMfg}, {"电子", 1.5, grpMfg},
	{"服装", 1.2, grpMfg}, {"家居", 0.8, grpTrade}, {"农业科技", 1.2, grpAgri}, {"酒店管理", 0.8, grpService},
	{"旅游", 0.8, grpService}, {"人力资源", 0.8, grpService}, {"能源科技", 0.8, grpTech}, {"电气", 0.8, grpMfg},
	{"包装", 0.6, grpMfg}, {"印刷", 0.4, grpMfg}, {"塑料制品", 0.6, grpMfg}, {"五金", 0.6, grpTrade},
	{"茶业", 0.6, grpAgri}, {"水产", 0.4, grpAgri}, {"汽车销售", 0.6, grpTrade}, {"医疗器械", 0.6, grpMed},
	{"化工", 0.6, grpMfg}, {"软件", 0.8, grpTech}, {"传媒", 0.8, grpCulture}, {"园林绿化工程", 0.8, grpBuild},
	{"市政工程", 0.6, grpBuild}, {"设计", 0.6, grpCulture}, {"运输", 0.8, grpLogistics}, {"进出口", 0.8, grpTrade},
	{"工贸", 0.8, grpTrade}, {"商务信息咨询", 0.8, grpConsult}, {"文化发展", 0.8, grpCulture}, {"体育发展", 0.4, grpCulture},
	{"光电科技", 0.4, grpTech}, {"数据科技", 0.4, grpTech}, {"安防科技", 0.4, grpTech}, {"新能源科技", 0.8, grpTech},
	{"通信技术", 0.4, grpTech}, {"钢结构工程", 0.3, grpBuild}, {"纺织", 0.4, grpMfg}, {"鞋业", 0.3, grpMfg},
	{"陶瓷", 0.3, grpMfg}, {"家具", 0.4, grpMfg}, {"照明", 0.3, grpMfg}, {"养殖", 0.4, grpAgri},
	{"餐饮", 0.8, grpFood}, {"餐饮服务", 0.4, grpFood}, {"酒业", 0.3, grpFood}, {"食品科技", 0.3, grpFood},
	{"汽车配件", 0.4, grpTrade}, {"机电设备", 0.4, grpMfg}, {"检测技术", 0.3, grpTech}, {"电力工程", 0.3, grpBuild},
	{"家政服务", 0.4, grpService}, {"财税咨询", 0.4, grpConsult}, {"资产管理", 0.3, grpFinance}, {"股权投资", 0.2, grpFinance},
	{"房产经纪", 0.4, grpRealty}, {"建设工程", 0.4, grpBuild}, {"影视传媒", 0.3, grpCulture}, {"会展服务", 0.3, grpCulture},
	{"保洁服务", 0.3, grpService}, {"健身", 0.3, grpService}, {"大药房", 0.4, grpMed}, {"医药连锁", 0.2, grpMed},
	{"教育科技", 0.6, grpEdu}, {"培训", 0.3, grpEdu}, {"母婴用品", 0.2, grpTrade}, {"珠宝", 0.2, grpTrade},
}

// Organisational forms of an enterprise name by entity type family.
const (
	formLLC = iota
	formJSC
	formSole
	formLP
	formGP
	formCollective
	formSOE
)

type entType struct {
	name string
	w    float64
	form int
}

var companyTypes = []entType{
	{"有限责任公司（自然人投资或控股）", 45, formLLC},
	{"有限责任公司（自然人独资）", 14, formLLC},
	{"有限责任公司（自然人投资或控股的法人独资）", 6, formLLC},
	{"有限责任公司（非自然人投资或控股的法人独资）", 4, formLLC},
	{"其他有限责任公司", 3, formLLC},
	{"有限责任公司（国有独资）", 0.8, formLLC},
	{"有限责任公司（国有控股）", 0.8, formLLC},
	{"有限责任公司（外商投资、非独资）", 0.6, formLLC},
	{"有限责任公司（外国法人独资）", 0.6, formLLC},
	{"有限责任公司（港澳台法人独资）", 0.4, formLLC},
	{"股份有限公司（非上市、自然人投资或控股）", 2.5, formJSC},
	{"股份有限公司（非上市、国有控股）", 0.3, formJSC},
	{"股份有限公司（上市、自然人投资或控股）", 0.2, formJSC},
	{"其他股份有限公司（非上市）", 0.5, formJSC},
	{"个人独资企业", 4, formSole},
	{"普通合伙企业", 0.7, formGP},
	{"有限合伙企业", 2, formLP},
	{"集体所有制", 0.3, formCollective},
	{"全民所有制", 0.2, formSOE},
}

var branchTypes = []entType{
	{"有限责任公司分公司（自然人投资或控股）", 60, formLLC},
	{"有限责任公司分公司（自然人独资）", 10, formLLC},
	{"其他有限责任公司分公司", 10, formLLC},
	{"有限责任公司分公司（国有控股）", 5, formLLC},
	{"股份有限公司分公司（非上市、自然人投资或控股）", 10, formJSC},
	{"股份有限公司分公司（上市、自然人投资或控股）", 2, formJSC},
}

const (
	typeIndividual = "个体工商户"
	typeCoop       = "农民专业合作社"
)

// Endings of sole-proprietorship, partnership and collective names.
var soleEndings = []string{"商行", "经营部", "贸易商行", "建材经营部", "食品厂", "服装厂", "设计工作室", "咨询服务部", "信息咨询中心", "五金店", "茶叶商行", "电子商务商行", "装饰工程部", "汽车修理厂", "摄影工作室", "百货商行"}
var partnershipStems = []string{"企业管理咨询中心", "投资管理中心", "股权投资合伙企业", "企业管理合伙企业", "创业投资合伙企业", "科技合伙企业", "商务咨询中心", "投资合伙企业"}
var collectiveEndings = []string{"服装厂", "砖瓦厂", "五金厂", "农机修造厂", "食品厂", "供销社", "建筑工程公司", "印刷厂", "物资公司", "综合商店"}

// Latin letters and digits that real names carry; they exercise width folding and tokenising.
var latinTokens = []string{"ABC", "3D", "e家", "5G", "IT", "AI", "e路", "i美", "365", "51", "99", "168", "888", "1号", "O2O", "B2B", "VR", "DIY", "A+", "3A", "4S", "e点", "e站", "U+", "T3", "K12", "N次方", "Q版", "M2", "V8"}

// Syllables of typical two- and three-character trade names (华威, 鑫达, 恒泰昌) that make up
// the part of names not drawn from the corpus.
var tradeChars = []rune("华鑫源达恒瑞泰昌盛兴宏隆丰嘉和信诚德福祥安康佳美新金银宝富通顺利永合众创博智联海天宇辉明亮腾飞凯旋益鸿远志聚宸晟睿航锦绣荣耀家乐汇成鼎立尚品优佰万千百联合伟业胜卓越星辰云峰林森浩然俊豪广阔启元正道")

// Individual businesses: how their names start and what kind of shop they are.
type shopType struct {
	s   string
	w   float64
	grp int
}

var shopTypes = []shopType{
	{"小吃店", 8, grpFood}, {"便利店", 8, grpTrade}, {"餐馆", 5, grpFood}, {"饭店", 4, grpFood}, {"面馆", 3, grpFood},
	{"快餐店", 3, grpFood}, {"烧烤店", 2, grpFood}, {"奶茶店", 2, grpFood}, {"水果店", 3, grpTrade}, {"蔬菜店", 2, grpTrade},
	{"副食店", 3, grpTrade}, {"日用品店", 2, grpTrade}, {"五金店", 3, grpTrade}, {"建材店", 2, grpTrade}, {"服装店", 4, grpTrade},
	{"鞋店", 1, grpTrade}, {"理发店", 3, grpService}, {"美发店", 2, grpService}, {"美容店", 2, grpService}, {"美甲店", 1, grpService},
	{"手机店", 2, grpTrade}, {"电动车维修部", 2, grpService}, {"汽车维修部", 2, grpService}, {"汽车美容店", 1, grpService},
	{"家电维修部", 1, grpService}, {"烟酒商行", 3, grpTrade}, {"茶叶店", 1.5, grpTrade}, {"超市", 4, grpTrade}, {"食杂店", 3, grpTrade},
	{"粮油店", 1.5, grpTrade}, {"猪肉店", 1.5, grpTrade}, {"水产店", 1, grpTrade}, {"早餐店", 2, grpFood}, {"包子铺", 1, grpFood},
	{"熟食店", 1, grpFood}, {"蛋糕店", 1, grpFood}, {"花店", 1, grpTrade}, {"文具店", 1, grpTrade}, {"母婴用品店", 1, grpTrade},
	{"眼镜店", 0.5, grpTrade}, {"照相馆", 0.5, grpCulture}, {"洗衣店", 1, grpService}, {"棋牌室", 1, grpCulture}, {"足浴店", 1, grpService},
	{"装饰材料经营部", 1.5, grpTrade}, {"家具店", 1, grpTrade}, {"灯具店", 0.5, grpTrade}, {"图文广告部", 1, grpCulture},
	{"打印店", 0.5, grpService}, {"快递代办点", 0.5, grpLogistics}, {"养殖场", 2, grpAgri}, {"种植场", 1, grpAgri}, {"农资店", 1.5, grpAgri},
	{"废品回收站", 1, grpService}, {"钢材经营部", 0.5, grpTrade}, {"货运部", 1, grpLogistics}, {"小卖部", 2, grpTrade},
	{"杂货店", 1.5, grpTrade}, {"宠物店", 0.5, grpService}, {"麻辣烫店", 1, grpFood}, {"米粉店", 1, grpFood}, {"药店", 0.5, grpMed},
}

// Farmers' cooperatives: product and the kind of cooperative it makes.
type coopKind struct {
	product, kind string
	w             float64
}

var coopKinds = []coopKind{
	{"果蔬", "种植专业合作社", 5}, {"蔬菜", "种植专业合作社", 5}, {"水果", "种植专业合作社", 3}, {"茶叶", "专业合作社", 3},
	{"中药材", "种植专业合作社", 3}, {"食用菌", "专业合作社", 2}, {"水稻", "种植专业合作社", 3}, {"花卉苗木", "专业合作社", 2},
	{"油茶", "种植专业合作社", 1}, {"葡萄", "种植专业合作社", 1}, {"草莓", "种植专业合作社", 1}, {"马铃薯", "种植专业合作社", 1},
	{"生猪", "养殖专业合作社", 3}, {"肉牛", "养殖专业合作社", 2}, {"肉羊", "养殖专业合作社", 2}, {"蛋鸡", "养殖专业合作社", 1},
	{"家禽", "养殖专业合作社", 2}, {"水产", "养殖专业合作社", 1.5}, {"养蜂", "专业合作社", 1}, {"农机", "专业合作社", 3},
	{"土地股份", "专业合作社", 1}, {"粮食", "种植专业合作社", 2}, {"特色种养", "专业合作社", 1}, {"", "种养专业合作社", 2},
}

var streetStems = []string{"人民", "解放", "中山", "建设", "五一", "和平", "新华", "胜利", "长江", "黄河", "文化", "工业", "科技", "滨江",
	"东风", "朝阳", "光明", "青年", "健康", "友谊", "幸福", "迎宾", "府前", "学府", "湖滨", "江滨", "新城", "发展", "创业", "金融",
	"兴业", "振兴", "复兴", "团结", "安居", "永安", "太平", "跃进", "红旗", "育才", "站前", "北环", "南环", "东环", "西环", "滨海",
	"望江", "丰收", "农业", "通港"}
var streetKinds = []ws{{"路", 10}, {"大道", 3}, {"街", 4}, {"东路", 2}, {"西路", 2}, {"南路", 2}, {"北路", 2}, {"中路", 1}, {"巷", 1}}
var buildingKinds = []string{"大厦", "广场", "中心", "国际", "商务楼", "科技园", "创业园", "写字楼", "花园"}

// Scope phrases by industry group (一般项目 / 许可项目, as in post-2021 scopes).
var scopeGeneral = [nGroups][]string{
	grpTech:      {"技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广", "软件开发", "信息系统集成服务", "计算机系统服务", "网络技术服务", "人工智能应用软件开发", "数据处理服务", "信息技术咨询服务", "计算机软硬件及辅助设备零售", "电子产品销售", "物联网技术服务", "智能控制系统集成", "通讯设备销售"},
	grpTrade:     {"日用百货销售", "五金产品零售", "建筑材料销售", "化工产品销售（不含许可类化工产品）", "机械设备销售", "电子产品销售", "服装服饰批发", "针纺织品销售", "金属材料销售", "家用电器销售", "办公用品销售", "农副产品销售", "货物进出口", "技术进出口", "国内贸易代理", "食用农产品批发", "塑料制品销售", "互联网销售（除销售需要许可的商品）"},
	grpBuild:     {"园林绿化工程施工", "土石方工程施工", "建筑材料销售", "建筑装饰材料销售", "工程管理服务", "普通机械设备安装服务", "金属门窗工程施工", "体育场地设施工程施工", "建筑工程机械与设备租赁", "对外承包工程"},
	grpFood:      {"餐饮管理", "食品销售（仅销售预包装食品）", "外卖递送服务", "食用农产品零售", "日用百货销售", "会议及展览服务", "供应链管理服务"},
	grpLogistics: {"普通货物仓储服务（不含危险化学品等需许可审批的项目）", "国内货物运输代理", "装卸搬运", "国际货物运输代理", "供应链管理服务", "运输货物打包服务", "汽车租赁", "信息咨询服务（不含许可类信息咨询服务）"},
	grpRealty:    {"房地产经纪", "物业管理", "住房租赁", "非居住房地产租赁", "房地产咨询", "停车场服务", "土地使用权租赁"},
	grpMed:       {"第一类医疗器械销售", "第二类医疗器械销售", "卫生用品和一次性使用医疗用品销售", "化妆品零售", "保健食品（预包装）销售", "健康咨询服务（不含诊疗服务）", "中医养生保健服务（非医疗）", "养老服务"},
	grpAgri:      {"谷物种植", "蔬菜种植", "水果种植", "茶叶种植", "中草药种植", "花卉种植", "林业产品销售", "农业机械服务", "食用农产品初加工", "休闲观光活动", "农业专业及辅助性活动", "牲畜销售", "肥料销售"},
	grpMfg:       {"塑料制品制造", "通用设备制造（不含特种设备制造）", "电子元器件制造", "五金产品制造", "专用设备制造（不含许可类专业设备制造）", "机械零件、零部件加工", "金属结构制造", "服装制造", "家具制造", "纸制品制造", "包装材料及制品销售", "新材料技术研发", "汽车零部件及配件制造", "模具制造", "照明器具制造", "陶瓷制品制造"},
	grpService:   {"企业管理咨询", "信息咨询服务（不含许可类信息咨询服务）", "市场营销策划", "会议及展览服务", "商务代理代办服务", "家政服务", "专业保洁、清洗、消毒服务", "人力资源服务（不含职业中介活动、劳务派遣服务）", "劳务服务（不含劳务派遣）", "财务咨询", "税务服务", "礼仪服务", "机动车修理和维护", "办公服务", "广告设计、代理"},
	grpCulture:   {"组织文化艺术交流活动", "文艺创作", "广告设计、代理", "广告制作", "广告发布", "平面设计", "图文设计制作", "数字文化创意内容应用服务", "摄像及视频制作服务", "体育赛事策划", "票务代理服务", "会议及展览服务", "礼仪服务"},
	grpFinance:   {"以自有资金从事投资活动", "自有资金投资的资产管理服务", "企业管理", "企业管理咨询", "融资咨询服务", "财务咨询", "社会经济咨询服务"},
	grpEdu:       {"教育咨询服务（不含涉许可审批的教育培训活动）", "业务培训（不含教育培训、职业技能培训等需取得许可的培训）", "体育健康服务", "组织文化艺术交流活动", "软件开发", "文具用品零售"},
	grpConsult:   {"企业管理咨询", "信息咨询服务（不含许可类信息咨询服务）", "市场营销策划", "财务咨询", "税务服务", "商务代理代办服务", "知识产权服务（专利代理服务除外）", "社会经济咨询服务", "企业形象策划", "会议及展览服务"},
}

var scopePermit = [nGroups][]string{
	grpTech:      {"第二类增值电信业务", "互联网信息服务"},
	grpTrade:     {"食品销售", "酒类经营", "烟草制品零售"},
	grpBuild:     {"建设工程施工", "住宅室内装饰装修", "建筑劳务分包", "建设工程设计"},
	grpFood:      {"餐饮服务", "食品销售", "食品生产", "酒类经营", "食品互联网销售"},
	grpLogistics: {"道路货物运输（不含危险货物）", "城市配送运输服务（不含危险货物）", "快递服务"},
	grpRealty:    {"房地产开发经营"},
	grpMed:       {"药品零售", "药品批发", "第三类医疗器械经营"},
	grpAgri:      {"牲畜饲养", "家禽饲养", "水产养殖", "农作物种子经营"},
	grpMfg:       {"危险化学品生产", "工业产品生产（许可类）"},
	grpService:   {"职业中介活动", "劳务派遣服务", "旅游业务", "住宿服务", "生活美容服务"},
	grpCulture:   {"营业性演出", "演出经纪", "网络文化经营", "出版物零售"},
	grpFinance:   nil,
	grpEdu:       {"出版物零售"},
	grpConsult:   {"代理记账"},
}

const (
	scopeTailNew     = "（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）"
	scopeTailPermit  = "（依法须经批准的项目，经相关部门批准后方可开展经营活动，具体经营项目以相关部门批准文件或许可证件为准）"
	scopeTailOld     = "（依法须经批准的项目，经相关部门批准后方可开展经营活动）"
	scopeReformStart = 2021 // registrations from 2021 use the 一般项目/许可项目 scope standard
)

// Agency levels.
const (
	lvCounty = iota
	lvCity
	lvProv
)

// agency is a kind of administrative body; its name is built from a region's names.
type agency struct {
	suffix  string // appended to the place name
	level   int
	penCode string // document-number word for penalties, e.g. 市监处罚
	licCode string // for licences
	style   int    // how the name is built, see agencyName
}

const (
	stylePlain  = iota
	styleTax    // 国家税务总局福州市鼓楼区税务局
	stylePolice // 福州市公安局鼓楼分局
)

const (
	agSAMR = iota
	agSAMRCity
	agEnv
	agTax
	agSafety
	agTransport
	agUrban
	agFire
	agHealth
	agCulture
	agHR
	agHousing
	agTobacco
	agTelecom
	agAgri
	agWater
	agApproval
	agPolice
	agDevRef
	agProvSAMR
	agHousingCity
	agProvDrug
	nAgencies
)

var agencies = [nAgencies]agency{
	agSAMR:        {"市场监督管理局", lvCounty, "市监处罚", "市监许", stylePlain},
	agSAMRCity:    {"市场监督管理局", lvCity, "市监处罚", "市监许", stylePlain},
	agEnv:         {"生态环境局", lvCity, "环罚", "环许", stylePlain},
	agTax:         {"税务局", lvCounty, "税简罚", "税许", styleTax},
	agSafety:      {"应急管理局", lvCounty, "应急罚", "应急许", stylePlain},
	agTransport:   {"交通运输局", lvCounty, "交执罚", "交运许", stylePlain},
	agUrban:       {"城市管理局", lvCounty, "城管罚", "城管许", stylePlain},
	agFire:        {"消防救援支队", lvCity, "消行罚决字", "消许", stylePlain},
	agHealth:      {"卫生健康局", lvCounty, "卫公罚", "卫公许", stylePlain},
	agCulture:     {"文化体育和旅游局", lvCounty, "文旅罚", "文旅许", stylePlain},
	agHR:          {"人力资源和社会保障局", lvCounty, "人社监罚", "人社许", stylePlain},
	agHousing:     {"住房和城乡建设局", lvCounty, "建罚", "建许", stylePlain},
	agTobacco:     {"烟草专卖局", lvCity, "烟处", "烟许", stylePlain},
	agTelecom:     {"通信管理局", lvProv, "通罚", "通许", stylePlain},
	agAgri:        {"农业农村局", lvCounty, "农罚", "农许", stylePlain},
	agWater:       {"水利局", lvCounty, "水罚", "水许", stylePlain},
	agApproval:    {"行政审批局", lvCounty, "审批罚", "审批", stylePlain},
	agPolice:      {"公安局", lvCounty, "公行罚决字", "公特许", stylePolice},
	agDevRef:      {"发展和改革委员会", lvCity, "发改罚", "发改审批", stylePlain},
	agProvSAMR:    {"市场监督管理局", lvProv, "市监处罚", "市监许", stylePlain},
	agHousingCity: {"住房和城乡建设局", lvCity, "建罚", "建许", stylePlain},
	agProvDrug:    {"药品监督管理局", lvProv, "药监罚", "药监许", stylePlain},
}

// violation is a kind of penalty case: who decides it, what it is called, its facts and
// legal basis, and the industry groups where it happens (nil = any).
type violation struct {
	ag     int
	vtype  string
	facts  []string // {n} a count, {m} an amount of yuan, {d} a date in the text
	basis  string
	w      float64
	groups []int
}

var violations = []violation{
	{agSAMR, "发布违法广告", []string{"当事人在其微信公众号发布的广告中使用“最佳”“第一”等绝对化用语", "当事人在其经营场所门头及宣传册中使用“国家级”“最高级”等用语进行宣传", "当事人在{d}通过网络平台发布含有“最佳效果”等表述的广告"}, "《中华人民共和国广告法》第五十七条", 6, nil},
	{agSAMR, "虚假宣传", []string{"当事人在其网店商品详情页中对商品的性能、功能作虚假宣传，欺骗、误导消费者", "当事人通过组织虚假交易等方式帮助其他经营者进行虚假或者引人误解的商业宣传"}, "《中华人民共和国反不正当竞争法》第二十条第一款", 3, nil},
	{agSAMR, "销售不符合食品安全标准的食品", []string{"当事人销售的{n}批次食品经抽样检验，检验结论为不合格", "当事人经营的食品经抽检不符合食品安全标准，货值金额{m}元"}, "《中华人民共和国食品安全法》第一百二十四条第一款", 6, []int{grpFood, grpTrade}},
	{agSAMR, "经营超过保质期的食品", []string{"执法人员于{d}检查发现当事人在其经营场所货架上摆放销售超过保质期的预包装食品{n}件", "当事人经营超过保质期的食品，货值金额{m}元"}, "《中华人民共和国食品安全法》第一百二十四条第一款第五项", 7, []int{grpFood, grpTrade}},
	{agSAMR, "未取得食品经营许可从事食品经营活动", []string{"当事人未取得食品经营许可证从事食品销售活动，违法所得{m}元", "当事人在未取得食品经营许可的情况下从事餐饮服务活动"}, "《中华人民共和国食品安全法》第一百二十二条第一款", 3, []int{grpFood, grpTrade}},
	{agSAMR, "未按规定明码标价", []string{"当事人销售商品未按照规定明码标价", "当事人在其经营场所销售的{n}种商品未标明价格"}, "《明码标价和禁止价格欺诈规定》第二十一条", 4, []int{grpTrade, grpFood, grpService}},
	{agSAMR, "销售不合格产品", []string{"当事人销售的产品经监督抽查不合格，货值金额{m}元", "当事人以不合格产品冒充合格产品销售"}, "《中华人民共和国产品质量法》第五十条", 4, []int{grpTrade, grpMfg, grpBuild}},
	{agSAMR, "侵犯注册商标专用权", []string{"当事人销售侵犯他人注册商标专用权的商品{n}件", "执法人员在当事人经营场所查获涉嫌侵犯注册商标专用权的商品{n}件"}, "《中华人民共和国商标法》第六十条第二款", 3, []int{grpTrade, grpMfg}},
	{agSAMR, "特种设备未按规定定期检验", []string{"当事人使用的{n}台电梯未按照安全技术规范的要求进行定期检验", "当事人使用未经定期检验的压力容器"}, "《中华人民共和国特种设备安全法》第八十四条第一项", 3, []int{grpRealty, grpMfg, grpService}},
	{agSAMR, "使用未经检定的计量器具", []string{"当事人使用的{n}台电子计价秤未按照规定申请检定", "当事人使用超过检定周期的计量器具"}, "《中华人民共和国计量法实施细则》第四十三条", 2, []int{grpTrade, grpFood}},
	{agSAMR, "公示信息隐瞒真实情况、弄虚作假", []string{"当事人通过国家企业信用信息公示系统报送的年度报告中公示信息隐瞒真实情况、弄虚作假"}, "《中华人民共和国市场主体登记管理条例》第四十六条", 2, nil},
	{agSAMR, "未按规定办理变更登记", []string{"当事人住所变更后未按规定办理变更登记", "当事人经营场所已变更但未依法办理变更登记"}, "《中华人民共和国市场主体登记管理条例》第四十六条", 2, nil},
	{agSAMR, "侵害消费者权益", []string{"当事人对消费者提出的修理、重作、更换、退货的要求故意拖延或者无理拒绝", "当事人以格式条款作出排除或者限制消费者权利的规定"}, "《中华人民共和国消费者权益保护法》第五十六条第一款", 2, []int{grpTrade, grpService, grpEdu}},
	{agSAMR, "经营未取得注册证的医疗器械", []string{"当事人经营未依法取得医疗器械注册证的第二类医疗器械"}, "《医疗器械监督管理条例》第八十四条", 1, []int{grpMed}},
	{agSAMR, "销售劣药", []string{"当事人销售的药品经检验为劣药，货值金额{m}元"}, "《中华人民共和国药品管理法》第一百一十七条第一款", 1, []int{grpMed}},
	{agEnv, "超标排放大气污染物", []string{"当事人排放的废气中颗粒物浓度超过国家规定的排放标准", "经监测，当事人废气排放口挥发性有机物浓度超标"}, "《中华人民共和国大气污染防治法》第九十九条第二项", 3, []int{grpMfg, grpFood}},
	{agEnv, "未依法报批建设项目环境影响报告表擅自开工建设", []string{"当事人建设项目环境影响报告表未经审批，擅自开工建设并投入生产"}, "《中华人民共和国环境影响评价法》第三十一条第一款", 2, []int{grpMfg, grpBuild, grpAgri}},
	{agEnv, "未按规定设置危险废物识别标志", []string{"当事人危险废物贮存场所未按照规定设置危险废物识别标志"}, "《中华人民共和国固体废物污染环境防治法》第一百一十二条第一款第一项", 2, []int{grpMfg, grpService}},
	{agEnv, "违法排放水污染物", []string{"当事人利用渗井、渗坑等逃避监管的方式排放水污染物", "当事人废水排放口化学需氧量浓度超过排放标准"}, "《中华人民共和国水污染防治法》第八十三条", 2, []int{grpMfg, grpAgri, grpFood}},
	{agTax, "未按照规定期限办理纳税申报", []string{"当事人未按照规定期限办理{d}所属期增值税纳税申报和报送纳税资料", "当事人未按照规定期限办理个人所得税（工资薪金所得）纳税申报"}, "《中华人民共和国税收征收管理法》第六十二条", 9, nil},
	{agTax, "未按规定开具发票", []string{"当事人应当开具而未开具发票", "当事人丢失增值税普通发票{n}份"}, "《中华人民共和国发票管理办法》第三十三条", 3, nil},
	{agSafety, "未按规定对从业人员进行安全生产教育和培训", []string{"当事人未按照规定对从业人员进行安全生产教育和培训", "当事人未如实记录安全生产教育和培训情况"}, "《中华人民共和国安全生产法》第九十七条第三项", 3, []int{grpMfg, grpBuild, grpLogistics}},
	{agSafety, "未建立事故隐患排查治理制度", []string{"当事人未建立安全风险分级管控制度和事故隐患排查治理制度"}, "《中华人民共和国安全生产法》第一百零一条第五项", 2, []int{grpMfg, grpBuild}},
	{agTransport, "未取得道路运输经营许可擅自从事道路运输经营", []string{"当事人未取得道路运输经营许可，擅自从事道路普通货物运输经营"}, "《中华人民共和国道路运输条例》第六十三条", 2, []int{grpLogistics}},
	{agTransport, "车辆超限运输", []string{"当事人所属车辆车货总质量超过限定标准，在公路上行驶", "当事人指使、强令车辆驾驶人超限运输货物"}, "《公路安全保护条例》第六十四条", 3, []int{grpLogistics, grpBuild}},
	{agUrban, "擅自设置户外广告设施", []string{"当事人未经批准擅自在建筑物外立面设置户外广告设施"}, "《城市市容和环境卫生管理条例》第三十六条第二项", 2, []int{grpTrade, grpFood, grpService}},
	{agUrban, "擅自占用城市道路", []string{"当事人未经批准擅自占用城市道路堆放物品、从事经营活动"}, "《城市道路管理条例》第四十二条", 2, []int{grpTrade, grpFood}},
	{agFire, "消防设施、器材未保持完好有效", []string{"当事人经营场所内消防设施、器材未保持完好有效", "当事人自动喷水灭火系统处于故障状态"}, "《中华人民共和国消防法》第六十条第一款第一项", 4, nil},
	{agFire, "占用、堵塞、封闭疏散通道、安全出口", []string{"当事人经营场所安全出口被锁闭，疏散通道被占用"}, "《中华人民共和国消防法》第六十条第一款第三项", 3, nil},
	{agHealth, "未取得公共场所卫生许可证擅自营业", []string{"当事人未依法取得公共场所卫生许可证擅自营业"}, "《公共场所卫生管理条例实施细则》第三十五条第一款", 1, []int{grpService}},
	{agHealth, "未组织从业人员进行健康检查", []string{"当事人安排未获得有效健康合格证明的从业人员从事直接为顾客服务的工作"}, "《公共场所卫生管理条例实施细则》第三十八条", 1, []int{grpService, grpFood}},
	{agCulture, "擅自从事营业性演出经营活动", []string{"当事人未取得营业性演出许可证擅自从事营业性演出经营活动"}, "《营业性演出管理条例》第四十三条第一款", 1, []int{grpCulture}},
	{agHR, "未按规定办理社会保险登记", []string{"当事人未按照规定为职工办理社会保险登记"}, "《中华人民共和国社会保险法》第八十四条", 2, nil},
	{agHR, "违反工作时间和休息休假规定", []string{"当事人安排劳动者延长工作时间超过法定标准"}, "《劳动保障监察条例》第二十五条", 1, nil},
	{agHousing, "未取得施工许可证擅自施工", []string{"当事人未取得施工许可证擅自施工"}, "《建设工程质量管理条例》第五十七条", 2, []int{grpBuild, grpRealty}},
	{agHousing, "物业服务企业未履行安全管理义务", []string{"当事人未按照物业服务合同约定对共用设施设备进行维修养护"}, "《物业管理条例》第五十九条", 1, []int{grpRealty}},
	{agAgri, "经营假劣农药", []string{"当事人经营的农药经抽样检验为劣质农药，货值金额{m}元"}, "《农药管理条例》第五十六条", 1, []int{grpAgri}},
}

// Penalty categories (处罚类别) as agencies combine them, with how often they occur.
type penaltyCat struct {
	cat      string
	w        float64
	fine     bool
	confisc  bool
	severe   bool // goes with 严重 where a severity is given
	months   int  // restriction length for 停产停业 / 暂扣, in months
	critical bool // 通报批评: 3-month publication whatever the amount
}

var penaltyCats = []penaltyCat{
	{"罚款", 50, true, false, false, 0, false},
	{"警告;罚款", 14, true, false, false, 0, false},
	{"罚款;没收违法所得", 10, true, true, false, 0, false},
	{"警告", 5, false, false, false, 0, false},
	{"通报批评", 3, false, false, false, 0, true},
	{"没收违法所得;没收非法财物", 2, false, true, false, 0, false},
	{"罚款;没收违法所得;没收非法财物", 3, true, true, false, 0, false},
	{"责令停产停业", 1.5, false, false, true, 3, false},
	{"罚款;责令停产停业", 1.5, true, false, true, 6, false},
	{"暂扣许可证件", 1, false, false, true, 3, false},
	{"吊销许可证件", 1, false, false, true, 0, false},
	{"罚款;吊销许可证件", 0.5, true, false, true, 0, false},
}

// Typical fines in yuan; a skewed menu, because decisions cluster on round amounts.
var fineYuan = []ws{{"200", 3}, {"500", 6}, {"1000", 10}, {"2000", 10}, {"3000", 8}, {"5000", 12}, {"8000", 4},
	{"10000", 10}, {"20000", 8}, {"30000", 6}, {"50000", 6}, {"80000", 2}, {"100000", 4}, {"200000", 2}, {"500000", 1}}

// licenceKind is a kind of permit with the agency that grants it.
type licenceKind struct {
	cert     string // 许可证书名称
	cat      string // 许可类别
	ag       int
	years    int // validity; 0 = no end date
	contents []string
	nofmt    int
	docName  string
}

// Licence number formats.
const (
	noFood = iota
	noFoodProd
	noRoad
	noDrug
	noDeviceRecord
	noDevice
	noPollution
	noBuildQual
	noSafety
	noHazChem
	noTobacco
	noTelecom
	noHRService
	noLabour
	noPerform
	noNetCulture
	noHygiene
	noPublication
	noSpecialEquip
	noDrain
	noBizLicence
	noProject
	noRealtyQual
	noConstruction
	noSpecialTrade
	noWater
	noAnimal
	noPesticide
)

var licenceKinds = []licenceKind{
	{"食品经营许可证", "普通", agSAMR, 5, []string{"预包装食品（含冷藏冷冻食品）销售；散装食品（不含冷藏冷冻食品）销售", "热食类食品制售；冷食类食品制售", "预包装食品（不含冷藏冷冻食品）销售", "热食类食品制售；自制饮品制售", "保健食品销售；特殊医学用途配方食品销售"}, noFood, "食品经营许可证"},
	{"食品生产许可证", "普通", agSAMRCity, 5, []string{"糕点；速冻食品", "饮料（瓶（桶）装饮用水）", "茶叶及相关制品", "调味品（酱油、食醋）", "肉制品（热加工熟肉制品）"}, noFoodProd, "准予食品生产许可决定书"},
	{"道路运输经营许可证", "普通", agTransport, 6, []string{"道路普通货物运输", "道路普通货物运输；货物专用运输（集装箱）", "道路旅客运输（县内班车客运）", "道路普通货物运输；大型物件运输"}, noRoad, "准予道路运输经营许可决定书"},
	{"药品经营许可证", "普通", agSAMR, 5, []string{"中药饮片、中成药、化学药、生物制品（除疫苗）", "中成药、化学药、第二类精神药品", "处方药、甲类非处方药、乙类非处方药"}, noDrug, "药品经营许可证"},
	{"第二类医疗器械经营备案凭证", "登记", agSAMR, 0, []string{"2002年分类目录：6820,6821,6826,6864,6866；2017年分类目录：07,09,14,18,22"}, noDeviceRecord, "第二类医疗器械经营备案凭证"},
	{"医疗器械经营许可证", "普通", agSAMRCity, 5, []string{"三类：6815注射穿刺器械,6864医用卫生材料及敷料,6866医用高分子材料及制品", "三类：14-注输、护理和防护器械"}, noDevice, "准予行政许可决定书"},
	{"排污许可证", "普通", agEnv, 5, []string{"废气：颗粒物、挥发性有机物；废水：化学需氧量、氨氮", "废水：化学需氧量、氨氮、总磷"}, noPollution, "排污许可证"},
	{"建筑业企业资质证书", "认可", agHousing, 5, []string{"建筑工程施工总承包三级；市政公用工程施工总承包三级", "施工劳务不分等级", "建筑装修装饰工程专业承包二级", "地基基础工程专业承包三级"}, noBuildQual, "建筑业企业资质证书"},
	{"安全生产许可证", "普通", agHousingCity, 3, []string{"建筑施工"}, noSafety, "准予行政许可决定书"},
	{"危险化学品经营许可证", "普通", agSafety, 3, []string{"汽油、柴油[闭杯闪点≤60℃]", "乙醇、甲苯、二甲苯（不带储存设施）", "硫酸、盐酸、氢氧化钠（不带储存设施）"}, noHazChem, "危险化学品经营许可证"},
	{"烟草专卖零售许可证", "特许", agTobacco, 5, []string{"卷烟、雪茄烟零售"}, noTobacco, "烟草专卖零售许可证"},
	{"增值电信业务经营许可证", "特许", agTelecom, 5, []string{"第二类增值电信业务中的信息服务业务（仅限互联网信息服务）", "在线数据处理与交易处理业务（仅限经营类电子商务）"}, noTelecom, "准予行政许可决定书"},
	{"人力资源服务许可证", "普通", agHR, 0, []string{"为劳动者介绍用人单位；为用人单位推荐劳动者；组织开展现场招聘会"}, noHRService, "准予行政许可决定书"},
	{"劳务派遣经营许可证", "普通", agHR, 3, []string{"劳务派遣"}, noLabour, "劳务派遣经营许可证"},
	{"营业性演出许可证", "普通", agCulture, 2, []string{"演出经纪", "营业性演出"}, noPerform, "营业性演出许可证"},
	{"网络文化经营许可证", "普通", agCulture, 3, []string{"利用信息网络经营表演、动漫产品", "利用信息网络经营艺术品"}, noNetCulture, "网络文化经营许可证"},
	{"公共场所卫生许可证", "普通", agHealth, 4, []string{"理发店、美容店", "宾馆", "沐浴场所", "游泳场所"}, noHygiene, "公共场所卫生许可证"},
	{"出版物经营许可证", "普通", agCulture, 6, []string{"出版物零售", "图书、报纸、期刊、电子出版物零售"}, noPublication, "出版物经营许可证"},
	{"特种设备使用登记证", "登记", agSAMR, 0, []string{"曳引驱动乘客电梯", "固定式压力容器", "叉车"}, noSpecialEquip, "特种设备使用登记证"},
	{"城镇污水排入排水管网许可证", "普通", agHousing, 5, []string{"餐饮污水排入城镇排水管网", "生产废水经预处理后排入城镇排水管网"}, noDrain, "准予行政许可决定书"},
	{"营业执照", "登记", agSAMR, 0, []string{"准予设立登记", "准予变更登记（住所变更）", "准予变更登记（经营范围变更）", "准予变更登记（法定代表人变更）", "准予变更登记（注册资本变更）", "准予变更登记（名称变更）"}, noBizLicence, "准予登记通知书"},
	{"企业投资项目核准批复", "核准", agDevRef, 2, []string{"同意项目核准，建设内容及规模按核准文件执行"}, noProject, "项目核准批复文件"},
	{"房地产开发企业资质证书", "认可", agHousingCity, 3, []string{"房地产开发二级", "房地产开发暂定级"}, noRealtyQual, "房地产开发企业资质证书"},
	{"建筑工程施工许可证", "普通", agHousing, 0, []string{"新建厂房及配套设施", "住宅楼及地下室", "办公楼装修工程"}, noConstruction, "建筑工程施工许可证"},
	{"特种行业许可证", "普通", agPolice, 0, []string{"旅馆业"}, noSpecialTrade, "特种行业许可证"},
	{"取水许可证", "普通", agWater, 5, []string{"取用地下水，年取水量2万立方米", "取用地表水，年取水量10万立方米"}, noWater, "取水许可证"},
	{"动物防疫条件合格证", "普通", agAgri, 0, []string{"生猪养殖", "蛋鸡养殖", "肉牛养殖"}, noAnimal, "动物防疫条件合格证"},
	{"农药经营许可证", "普通", agAgri, 5, []string{"农药（不含限制使用农药）"}, noPesticide, "农药经营许可证"},
}

// licenceMix says which licences each industry group tends to hold (indices into licenceKinds, weights).
var licenceMix = [nGroups][]ws{
	grpTech:      {{"增值电信业务经营许可证", 3}, {"营业执照", 6}, {"网络文化经营许可证", 1}},
	grpTrade:     {{"食品经营许可证", 5}, {"营业执照", 6}, {"烟草专卖零售许可证", 2}, {"危险化学品经营许可证", 0.5}, {"出版物经营许可证", 0.5}, {"第二类医疗器械经营备案凭证", 0.5}},
	grpBuild:     {{"建筑业企业资质证书", 4}, {"安全生产许可证", 2}, {"营业执照", 5}, {"建筑工程施工许可证", 2}},
	grpFood:      {{"食品经营许可证", 8}, {"食品生产许可证", 2}, {"城镇污水排入排水管网许可证", 1}, {"营业执照", 4}, {"排污许可证", 0.5}},
	grpLogistics: {{"道路运输经营许可证", 6}, {"营业执照", 5}, {"危险化学品经营许可证", 0.3}},
	grpRealty:    {{"房地产开发企业资质证书", 3}, {"建筑工程施工许可证", 2}, {"特种设备使用登记证", 2}, {"营业执照", 5}, {"企业投资项目核准批复", 0.5}},
	grpMed:       {{"药品经营许可证", 4}, {"第二类医疗器械经营备案凭证", 3}, {"医疗器械经营许可证", 1.5}, {"食品经营许可证", 1.5}, {"营业执照", 4}},
	grpAgri:      {{"动物防疫条件合格证", 3}, {"农药经营许可证", 1.5}, {"取水许可证", 1}, {"营业执照", 5}, {"排污许可证", 0.5}},
	grpMfg:       {{"排污许可证", 4}, {"特种设备使用登记证", 2}, {"食品生产许可证", 0.5}, {"危险化学品经营许可证", 0.5}, {"取水许可证", 0.5}, {"营业执照", 5}, {"企业投资项目核准批复", 0.5}},
	grpService:   {{"公共场所卫生许可证", 3}, {"人力资源服务许可证", 1}, {"劳务派遣经营许可证", 1}, {"特种行业许可证", 1}, {"营业执照", 6}},
	grpCulture:   {{"营业性演出许可证", 2}, {"网络文化经营许可证", 1.5}, {"出版物经营许可证", 1.5}, {"营业执照", 6}},
	grpFinance:   {{"营业执照", 10}},
	grpEdu:       {{"出版物经营许可证", 1}, {"营业执照", 8}},
	grpConsult:   {{"营业执照", 10}, {"人力资源服务许可证", 0.5}},
}

// listReason is why an entry is listed, with the removal reason that cures it.
type listReason struct {
	reason, removal string
	w               float64
}

// Abnormal-operation list reasons by entity kind.
var abnormalCompany = []listReason{
	{"未依照《企业信息公示暂行条例》第八条规定的期限公示年度报告的", "列入经营异常名录后，已依法补报年度报告并公示，申请移出", 55},
	{"通过登记的住所或者经营场所无法联系的", "依法办理住所或者经营场所变更登记，申请移出", 30},
	{"未在登记机关依照《企业信息公示暂行条例》第十条规定责令的期限内公示有关企业信息的", "已履行即时信息公示义务，申请移出", 8},
	{"公示企业信息隐瞒真实情况、弄虚作假的", "已更正其公示的信息，申请移出", 7},
}
var abnormalIndividual = []listReason{
	{"未按照《个体工商户年度报告暂行办法》规定报送年度报告的", "已补报未报年份的年度报告并公示，申请恢复正常记载状态", 70},
	{"通过登记的经营场所无法联系的", "依法办理经营场所变更登记，申请恢复正常记载状态", 30},
}
var abnormalCoop = []listReason{
	{"未按照《农民专业合作社年度报告公示暂行办法》规定报送年度报告的", "已依法补报年度报告并公示，申请移出", 75},
	{"通过登记的住所无法与农民专业合作社取得联系的", "依法办理住所变更登记，申请移出", 25},
}

var blacklistReasons = []ws{
	{"被列入经营异常名录届满3年仍未履行相关义务的", 70},
	{"提交虚假材料或者采取其他欺诈手段隐瞒重要事实，取得公司变更或者注销登记，被撤销登记的", 8},
	{"因虚假广告受到较重行政处罚的", 6},
	{"因销售不符合食品安全标准的食品受到较重行政处罚的", 6},
	{"因侵犯注册商标专用权受到较重行政处罚的", 4},
	{"因实施危害人民群众生命健康的违法行为受到较重行政处罚的", 6},
}
var blacklistRemovals = []string{
	"列入严重违法失信名单届满3年，且未再发生相关违法行为，申请移出",
	"已履行相关义务，纠正违法行为，经信用修复移出",
	"依照《市场监督管理严重违法失信名单管理办法》第十九条规定申请提前移出",
}

var spotTypes = []ws{{"双随机", 70}, {"定向", 20}, {"专项", 10}}
var spotResults = []ws{
	{"未发现问题", 60}, {"未按规定公示应当公示的信息", 8}, {"公示信息隐瞒真实情况、弄虚作假", 2},
	{"通过登记的住所（经营场所）无法联系", 10}, {"发现问题，已责令改正", 6}, {"责令整改", 4},
	{"未发现开展本次抽查涉及的经营活动", 6}, {"发现问题，待后续处理", 2}, {"不配合检查，情节严重", 1},
	{"已办理歇业备案", 1},
}

var debtorObligations = []string{
	"支付申请执行人货款人民币{m}元及逾期付款利息",
	"偿还申请执行人借款本金人民币{m}元及利息",
	"支付申请执行人工程款人民币{m}元",
	"支付申请执行人劳动报酬人民币{m}元及经济补偿金",
	"支付申请执行人租金人民币{m}元及违约金",
	"赔偿申请执行人经济损失人民币{m}元",
	"支付申请执行人服务费人民币{m}元并承担案件受理费",
}
var debtorCircumstances = []ws{
	{"有履行能力而拒不履行生效法律文书确定义务", 70},
	{"违反财产报告制度", 15},
	{"违反限制消费令", 8},
	{"以伪造证据、暴力、威胁等方法妨碍、抗拒执行", 2},
	{"以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行", 3},
	{"无正当理由拒不履行执行和解协议", 2},
}

// trad maps common simplified characters to traditional forms, for dirty-mode names copied
// from Hong Kong, Macao or Taiwan sources (checked against OpenCC in the tests).
var trad = map[rune]rune{
	'华': '華', '东': '東', '国': '國', '门': '門', '贸': '貿', '发': '發', '业': '業', '电': '電', '广': '廣', '龙': '龍',
	'饮': '飲', '车': '車', '务': '務', '术': '術', '网': '網', '络': '絡', '传': '傳', '开': '開', '实': '實', '运': '運',
	'输': '輸', '设': '設', '备': '備', '装': '裝', '饰': '飾', '医': '醫', '药': '藥', '农': '農', '产': '產', '养': '養',
	'区': '區', '县': '縣', '书': '書', '长': '長', '乐': '樂', '兴': '興', '万': '萬', '宝': '寶', '丰': '豐', '达': '達',
	'汇': '匯', '联': '聯', '众': '眾', '创': '創', '环': '環', '资': '資', '询': '詢', '营': '營', '销': '銷', '馆': '館',
	'筑': '築', '时': '時', '维': '維', '纺': '紡', '织': '織', '机': '機', '气': '氣', '厂': '廠', '号': '號', '云': '雲',
	'凤': '鳳', '阳': '陽', '湾': '灣', '苏': '蘇', '辽': '遼', '责': '責', '饭': '飯', '鱼': '魚', '鸿': '鴻', '荣': '榮',
	'庆': '慶', '圆': '圓', '园': '園', '艺': '藝', '宁': '寧', '贵': '貴', '汉': '漢', '计': '計', '讯': '訊', '软': '軟',
	'贝': '貝', '锦': '錦', '顺': '順', '进': '進', '应': '應', '链': '鏈', '视': '視', '体': '體', '护': '護',
}

// commonGiven are characters common in given names. The embedded character list also holds
// rare and unlucky ones (灭, 僧, 罹); only its intersection with this set is used.
const commonGiven = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂文华红建国玉萍海云鹏辉宇林斌波宁欣佳颖浩俊峰晨琳婷雪倩晶慧丹阳东凯博鑫瑞志成龙飞亮彬宏新立永春梅燕玲凤琴莉蕾荣庆德福生金银山江河清源泉森松柏乐欢嘉怡悦可馨雨梦晓思诗雅琪瑶璐露薇蓉菲妍婉娅安康健泽涵轩睿哲然熙铭航远翔腾豪旭昊天子晗煜霖瀚彤蕊萱琦琛珊珍珠翠兵忠义仁礼智信光耀辰星月晴武学书民中家卫兴旺发财富贵祥吉顺利和振宝秋冬夏菊莲荷桃琼洁素淑贤聪美芬香娇媛婕娴爽朗毅坚胜鹤鸣锋钢石岩岭川浪湖溪润滨洪正道宗元方圆君臣进喜善良友爱雷震霆培基业恒长久鸿运启航逸飞扬晋豫湘鄂楠桐杨柳枫桦彦青蓝丰登茂盛兆良国栋梁材朝晖亚男少勤俭伦敦厚积"
