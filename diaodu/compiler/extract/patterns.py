"""Vocabulary and regular expressions of the extractor (what Chinese plan prose looks like).

Everything the rules in :mod:`.extract` recognise is listed here, so that a reviewer can read the
extractor's "grammar" in one place. Nothing here names a particular county: org units come from a
:class:`~.catalogue.Catalogue`.
"""

from __future__ import annotations

import re

# --------------------------------------------------------------------------- numbers and units

NUM = r"(?:\d+(?:\.\d+)?[万亿]?|[零〇一二两三四五六七八九十百千万亿]+)"
CHINESE_NUMERAL = re.compile(r"^[零〇一二两三四五六七八九十百千万亿]+$")

# unit -> measure (before looking at verbs such as 增长 or 退出)
UNITS: dict[str, str] = {
    "个百分点": "ratio",
    "%": "ratio",
    "美元": "absolute",
    "元": "absolute",
    "个工作日": "duration",
    "工作日": "duration",
    "个月": "duration",
    "小时": "duration",
    "天": "duration",
    "平方公里": "area",
    "平方千米": "area",
    "平方米": "area",
    "公顷": "area",
    "亩": "area",
    "立方米": "absolute",
    "千瓦时": "absolute",
    "千瓦": "absolute",
    "兆瓦": "absolute",
    "标准箱": "absolute",
    "标箱": "absolute",
    "公里": "absolute",
    "千米": "absolute",
    "吨": "absolute",
    "微克": "absolute",
    "人次": "count",
    "个": "count",
    "家": "count",
    "项": "count",
    "所": "count",
    "座": "count",
    "条": "count",
    "名": "count",
    "人": "count",
    "户": "count",
    "套": "count",
    "台": "count",
    "辆": "count",
    "件": "count",
    "处": "count",
    "张": "count",
    "场": "count",
    "艘": "count",
    "栋": "count",
    "间": "count",
    "批": "count",
}
# Units that keep a 万/亿 prefix instead of multiplying the value (5000万美元 stays 5000 in 万美元).
PREFIXABLE = {
    "元",
    "美元",
    "亩",
    "吨",
    "人",
    "人次",
    "户",
    "平方米",
    "千瓦",
    "千瓦时",
    "标准箱",
    "标箱",
    "立方米",
}
MONEY_UNITS = {"元", "万元", "亿元", "美元", "万美元", "亿美元"}
MEASURE_WORDS = {u for u, m in UNITS.items() if m in ("count", "area")}

_UNIT_ALT = "|".join(sorted((re.escape(u) for u in UNITS), key=len, reverse=True))
_PER_ALT = r"(?:/(?:亩|平方米|立方米|人|吨|户|年))?"

# comparator written before the number -> comparator
PREFIX_COMPARATORS: dict[str, str] = {
    "不少于": ">=",
    "不低于": ">=",
    "不小于": ">=",
    "至少": ">=",
    "超过": ">=",
    "突破": ">=",
    "达到": ">=",
    "达": ">=",
    "高于": ">=",
    "大于": ">=",
    "提高到": ">=",
    "提高至": ">=",
    "提升到": ">=",
    "提升至": ">=",
    "稳定在": ">=",
    "保持在": ">=",
    "不超过": "<=",
    "不高于": "<=",
    "低于": "<=",
    "小于": "<=",
    "控制在": "<=",
    "控制到": "<=",
    "降至": "<=",
    "降到": "<=",
    "降低到": "<=",
    "降低至": "<=",
    "下降到": "<=",
    "下降至": "<=",
    "压减到": "<=",
    "压减至": "<=",
    "压缩到": "<=",
    "压缩至": "<=",
    "缩短到": "<=",
    "缩短至": "<=",
    "减少到": "<=",
    "减少至": "<=",
}
SUFFIX_COMPARATORS: dict[str, str] = {
    "及以上": ">=",
    "以上": ">=",
    "及以下": "<=",
    "以下": "<=",
    "以内": "<=",
    "左右": "~",
}
_PREFIX_ALT = "|".join(sorted(PREFIX_COMPARATORS, key=len, reverse=True))
_SUFFIX_ALT = "|".join(sorted(SUFFIX_COMPARATORS, key=len, reverse=True))

QUANTITY = re.compile(
    rf"(?P<prefix>{_PREFIX_ALT})?"
    rf"(?P<num>{NUM})(?:(?P<range>[-—~至到])(?P<num2>{NUM}))?"
    rf"(?P<unit>(?:{_UNIT_ALT}){_PER_ALT})?"
    rf"(?P<suffix>{_SUFFIX_ALT})?"
)

# verbs right before a percentage that make it a growth rate, a cut, or neither
GROWTH_VERBS = re.compile(
    r"(?:增长|增速|增幅|增加|提高|提升|年均增长|同比增长|比上年增长)(?:达到|达|超过|不低于|不少于)?$"
)
REDUCTION_VERBS = re.compile(r"(?:下降|降低|减少|压减|削减|缩减|压缩|缩短)(?:达到|达|超过|不低于|不少于)?$")
REDUCTION_ACTIONS = re.compile(r"退出|淘汰|关停|关闭|拆除|腾退|压减|削减|化解|出清|整治销号")

# --------------------------------------------------------------------------- special targets

DOUBLING = re.compile(r"(?:实现)?(?:翻(?P<times>一|两|二|三)?番|“?双倍增”?|倍增)")
BREAKTHROUGH = re.compile(r"(?:再有|再获|实现|取得|有)新?突破")
ALL_DONE = re.compile(r"(?:全部|全面|全数|100%)(?P<verb>开工|落地|建成|投产|竣工|完成|到位|达标|入库|清零)")
RELATIVE = re.compile(
    r"(?P<ind>[^，。；、]+?)(?P<growth>增长|增速|增幅)?(?:要|要求|应)?(?:与|同|和)(?P<ref>[^，。；]+?)(?:基本)?"
    r"(?P<rel>同步|相适应|相协调|同向)"
)
FASTER = re.compile(
    r"(?P<ind>[^，。；、]+?)(?P<growth>增长|增速|增幅)(?:要)?(?:快于|高于|超过)(?P<ref>[^，。；]+?(?:增长|增速|增幅))"
)

# --------------------------------------------------------------------------- levels

LEVEL_WORDS = re.compile(r"全力争取|确保|力保|保证|力争|争取|冲刺|努力实现")
LEVEL_OF = {"确保": "committed", "力保": "committed", "保证": "committed"}  # everything else: stretch
# 争取 is a level word only when its clause carries a target (争取扩区获批 = apply for; 争取实现 = strive to)
WEAK_LEVEL_WORDS = {"争取", "全力争取", "保证"}

# --------------------------------------------------------------------------- deadlines

_CN_SMALL = "一二三四五六七八九十"
DEADLINE = re.compile(
    r"(?P<year>明年|今年|本年|当年|(?P<y4>20\d\d)年?)?"
    r"(?:"
    rf"第?(?P<quarter>[一二三四1-4])季度(?:末|底)?(?:前|以前|之前|内)?"
    r"|(?P<half>上半年|下半年)(?:前|内)?"
    rf"|(?P<month>1[0-2]|0?[1-9]|[{_CN_SMALL}]{{1,2}})月(?:份)?(?:(?P<day>[1-3]?\d)日|(?P<part>底|末|中旬|上旬|下旬))?(?P<before>前|以前|之前)?"
    r"|(?P<yearend>年底|年末|年内)(?:前)?"
    r")"
)

# --------------------------------------------------------------------------- past and review

REVIEW_HEADING = re.compile(r"回顾|过去一年|过去的一年|过去五年|工作总结|主要成绩|取得的成绩|成绩与问题")
PAST_PARAGRAPH_START = re.compile(
    r"^(?:过去一年|过去的一年|过去五年|去年|上年|一年来|今年以来|\d{4}年以来|回顾)"
)
PAST_MARKERS = re.compile(
    r"去年|上年度|过去(?:的)?(?:一|五|几|十)?年|一年来|(?:几|多|\d+|[一二三四五六七八九十]+)年来|近年来|这几年|"
    r"已经|已(?:完成|实现|建成|达到|突破|签约|开工|竣工|投产|批复|获批|累计)|"
    r"(?:完成|实现|增长|达到|突破|新增|建成|引进|签约|开工|竣工|下降|提高|超过|获得|创成)了|累计(?:完成|实现|建成|新增)|"
    r"同比(?:增长|下降)"
)
FORWARD_MARKERS = re.compile(r"力争|确保|争取|冲刺|力保|预期|目标|计划|将|要|明年|新的一年")

# --------------------------------------------------------------------------- indicator names

TIME_WORDS = re.compile(
    r"明年|今年|本年|全年|年内|当年|新的一年|20\d\d年(?:底|末)?|[一二三四1-4]季度(?:末|底)?(?:前|以前|之前|内)?|"
    r"上半年|下半年|年底前?|年末|(?:1[0-2]|0?[1-9])月(?:份)?(?:底|末)?(?:前|以前|之前)?|今后|到期末"
)
# Leading words that are not part of an indicator's name (verbs of effort, connectives, levels).
LEADING_FILLERS = re.compile(
    r"^(?:确保|力保|保证|力争|争取|冲刺|努力实现|努力|其中|同时|并且|并|且|和|要|将|均|都|有|使|让|全县|全市|全区|全镇|"
    r"集中力量|全力以赴|全力|着力|加快推进|加快推动|加快|持续推进|推进|推动|持续|积极|大力|进一步|力促|促进|实施|开展|"
    r"完成|实现|达到|建成|建设|打造|保持|稳定|切实|坚持|围绕|聚焦|基本|新的一年|年内|全年|明年|今年|[:：、，])"
)
TRAILING_FILLERS = re.compile(
    r"(?:均|都|要|将|再|有|实现|均实现|达到|达|完成|增长|增速|增幅|提高|提升|下降|降低|同比|比上年|较上年|年均|为|在|分别|规模)$"
)
# Verbs that keep their place in a name (新增 "四上" 企业 ≠ "四上" 企业).
NAME_VERBS = (
    r"新开工|新竣工投产|竣工投产|新增|新建|新引进|引进|招引|签约投资|签约|盘活利用|新培育|培育|新认定|新上"
)
EXAMPLES = re.compile(
    rf"(?P<verb>{NAME_VERBS}|建成|完成|实施)?(?P<examples>[^，。；：]*?)(?<![平高中初同对相均])等(?![级等待])"
)
# Accomplishment verbs: a number written before a noun ("8家企业退出", "实施100个项目") is a target only
# next to one of these, a deadline or a level word; otherwise it describes something ("24.36平方公里拓展区").
ACCOMPLISH = re.compile(
    r"实施|建成|新建|新开工|开工|竣工|投产|完成|退出|淘汰|关停|落户|引进|招引|签约|新增|培育|创建|改造|拆除|腾退|"
    r"新认定|创成"
)
# Bare numbers after these mean "at least" (a volume to achieve); bare stocks and sizes mean "=".
FLOW_NAME = re.compile(
    rf"^(?:{NAME_VERBS}|新改扩建|改扩建|建设|建成|完成|实现|改造|实施|开工|创建|开展|举办|淘汰|关停|压减|化解)|年度|全年|当年"
)
RATE_VERBS = re.compile(r"(?:开工|落地|投产|竣工|完成|达标|入库|覆盖|建成|到位|签约|履约|转化开工)$")
THRESHOLD_ONLY = re.compile(r"^(?:过|超)?[\d.零一二三四五六七八九十百千]*[万亿](?:元|美元)(?:以上)?(?:级)?$")
THRESHOLD_IN_NAME = re.compile(
    r"(?:过|超)[\d.零一二三四五六七八九十百千]*[万亿](?:元|美元)|[\d.]*[万亿](?:元|美元)以上"
)
NAME_LIST_SPLIT = re.compile(r"、|和|及|以及|与")
QUOTE_CHARS = "“”‘’「」『』\"'"
CHAIN_START = re.compile(r"^(?:其中|内含|包括)")
DISTRIBUTIVE = re.compile(r"每家|每个|各|均")
WHOLE_JURISDICTION = re.compile(r"全县|全市|全区|全省|全镇")
# Names that are attributes of the thing just counted ("重点项目53个，计划总投资144.6亿元").
ATTRIBUTE_NAME = re.compile(
    r"^(?:计划总投资|总投资|年度计划投资|年度投资|计划投资|年度完成投资|建筑面积|占地面积|总面积)$"
)
DEADLINE_ONLY_FILLERS = re.compile(r"^(?:到|至|于|在|截至|截止|力争|确保|争取)+")
