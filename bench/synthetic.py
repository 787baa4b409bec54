"""Synthetic annual reports for benchmarks: the five seed reports (``replica/data/seeds/*.txt``) cut into
sections and sentences and put back together with other agencies, places, years and numbers.

Deterministic: ``generate(n, seed)`` yields the same texts on every run. Every text is distinct
(its letters and digits differ, so each one becomes its own report in the archive).
"""

from __future__ import annotations

import hashlib
import random
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SEED_DIR = Path(__file__).resolve().parents[1] / "replica" / "data" / "seeds"

# Prefecture-level cities by province (市 appended unless the name already ends in 州/盟/地区/市).
_CITIES = """
北京:北京市
天津:天津市
上海:上海市
重庆:重庆市
河北:石家庄 唐山 秦皇岛 邯郸 邢台 保定 张家口 承德 沧州 廊坊 衡水
山西:太原 大同 阳泉 长治 晋城 朔州 晋中 运城 忻州 临汾 吕梁
内蒙古:呼和浩特 包头 乌海 赤峰 通辽 鄂尔多斯 呼伦贝尔 巴彦淖尔 乌兰察布 兴安盟 锡林郭勒盟
辽宁:沈阳 大连 鞍山 抚顺 本溪 丹东 锦州 营口 阜新 辽阳 盘锦 铁岭 朝阳 葫芦岛
吉林:长春 吉林 四平 辽源 通化 白山 松原 白城 延边朝鲜族自治州
黑龙江:哈尔滨 齐齐哈尔 鸡西 鹤岗 双鸭山 大庆 伊春 佳木斯 七台河 牡丹江 黑河 绥化 大兴安岭地区
江苏:南京 无锡 徐州 常州 苏州 南通 连云港 淮安 盐城 扬州 镇江 泰州 宿迁
浙江:杭州 宁波 温州 嘉兴 湖州 绍兴 金华 衢州 舟山 台州 丽水
安徽:合肥 芜湖 蚌埠 淮南 马鞍山 淮北 铜陵 安庆 黄山 滁州 阜阳 宿州 六安 亳州 池州 宣城
福建:福州 厦门 莆田 三明 泉州 漳州 南平 龙岩 宁德
江西:南昌 景德镇 萍乡 九江 新余 鹰潭 赣州 吉安 宜春 抚州 上饶
山东:济南 青岛 淄博 枣庄 东营 烟台 潍坊 济宁 泰安 威海 日照 临沂 德州 聊城
山东:滨州 菏泽
河南:郑州 开封 洛阳 平顶山 安阳 鹤壁 新乡 焦作 濮阳 许昌 漯河 三门峡 南阳 商丘
河南:信阳 周口 驻马店
湖北:武汉 黄石 十堰 宜昌 襄阳 鄂州 荆门 孝感 荆州 黄冈 咸宁 随州 恩施土家族苗族自治州
湖南:长沙 株洲 湘潭 衡阳 邵阳 岳阳 常德 张家界 益阳 郴州 永州 怀化 娄底 湘西土家族苗族自治州
广东:广州 韶关 深圳 珠海 汕头 佛山 江门 湛江 茂名 肇庆 惠州 梅州 汕尾 河源 阳江 清远 东莞 中山 潮州 揭阳 云浮
广西:南宁 柳州 桂林 梧州 北海 防城港 钦州 贵港 玉林 百色 贺州 河池 来宾 崇左
海南:海口 三亚 三沙 儋州
四川:成都 自贡 攀枝花 泸州 德阳 绵阳 广元 遂宁 内江 乐山 南充 眉山 宜宾 广安 达州 雅安 巴中 资阳 凉山彝族自治州
贵州:贵阳 六盘水 遵义 安顺 毕节 铜仁 黔东南苗族侗族自治州
云南:昆明 曲靖 玉溪 保山 昭通 丽江 普洱 临沧 大理白族自治州 红河哈尼族彝族自治州 西双版纳傣族自治州
西藏:拉萨 日喀则 昌都 林芝 山南 那曲 阿里地区
陕西:西安 铜川 宝鸡 咸阳 渭南 延安 汉中 榆林 安康 商洛
甘肃:兰州 嘉峪关 金昌 白银 天水 武威 张掖 平凉 酒泉 庆阳 定西 陇南 甘南藏族自治州
青海:西宁 海东 海西蒙古族藏族自治州 玉树藏族自治州
宁夏:银川 石嘴山 吴忠 固原 中卫
新疆:乌鲁木齐 克拉玛依 吐鲁番 哈密 喀什地区 阿克苏地区 伊犁哈萨克自治州
"""

# County-level places (districts, counties, county-level cities) by province.
_COUNTIES = """
河北:正定县 迁安市 涿州市 定州市 辛集市 任丘市 武安市 平山县
山西:平遥县 介休市 孝义市 古交市 清徐县
内蒙古:满洲里市 二连浩特市 准格尔旗 土默特左旗
辽宁:瓦房店市 海城市 东港市 庄河市 新民市
吉林:延吉市 珲春市 梅河口市 公主岭市 敦化市
黑龙江:五常市 绥芬河市 漠河市 尚志市
江苏:江阴市 宜兴市 昆山市 常熟市 张家港市 太仓市 沭阳县 邳州市 丹阳市 如皋市 姑苏区 鼓楼区 玄武区
浙江:义乌市 余姚市 慈溪市 乐清市 瑞安市 诸暨市 桐乡市 海宁市 西湖区 余杭区 安吉县 德清县
安徽:肥西县 长丰县 天长市 桐城市 宁国市 歙县
福建:晋江市 石狮市 南安市 福清市 武夷山市 长汀县 思明区 湖里区
江西:婺源县 井冈山市 瑞金市 丰城市 樟树市 贵溪市
山东:博山区 曲阜市 邹城市 寿光市 青州市 诸城市 龙口市 莱州市 荣成市 乳山市 文登区 滕州市 新泰市 肥城市
山东:胶州市 即墨区 黄岛区 历下区 市中区 张店区 临淄区 兰陵县 沂水县 郯城县
山东:曹县 单县 郓城县 阳谷县 茌平区 冠县 莘县 东阿县 高唐县 临清市 邹平市 广饶县 蓬莱区 招远市
山东:平度市 莱西市 安丘市 高密市 昌乐县 微山县 嘉祥县 汶上县 泗水县 梁山县
山东:宁阳县 东平县 五莲县 莒县 乐陵市 禹城市 平原县 齐河县 惠民县 阳信县 无棣县 博兴县
河南:巩义市 新郑市 登封市 中牟县 偃师区 栾川县 林州市 长垣市 禹州市 永城市 项城市 鹿邑县 郸城县 沈丘县
河南:商水县 西华县 扶沟县 太康县 淮阳区 川汇区 固始县 邓州市 兰考县 新密市
湖北:仙桃市 潜江市 天门市 宜都市 枝江市 大冶市 汉川市 武昌区 江汉区
湖南:浏阳市 宁乡市 醴陵市 韶山市 湘乡市 凤凰县 慈利县
广东:顺德区 南海区 增城区 番禺区 天河区 福田区 南山区 宝安区 龙岗区 台山市 开平市 英德市 普宁市 廉江市 博罗县
广西:阳朔县 荔浦市 北流市 凭祥市 东兴市
海南:琼海市 文昌市 万宁市 五指山市
四川:都江堰市 彭州市 简阳市 郫都区 双流区 江油市 峨眉山市 阆中市 西昌市 仁寿县
贵州:仁怀市 赤水市 清镇市 凯里市 兴义市
云南:安宁市 腾冲市 瑞丽市 个旧市 弥勒市 宣威市 景洪市
陕西:韩城市 华阴市 兴平市 彬州市 神木市 府谷县 临潼区 长安区
甘肃:敦煌市 玉门市 临夏市 合作市
青海:格尔木市 德令哈市
宁夏:灵武市 青铜峡市 贺兰县
新疆:石河子市 库尔勒市 伊宁市 阿勒泰市 昌吉市
"""

# (full name, short name, subject word used where the seeds say 科技)
_DEPARTMENTS: list[tuple[str, str, str]] = [
    ("科学技术局", "科技局", "科技"),
    ("教育局", "教育局", "教育"),
    ("教育和体育局", "教体局", "教育"),
    ("财政局", "财政局", "财政"),
    ("民政局", "民政局", "民政"),
    ("司法局", "司法局", "司法"),
    ("人力资源和社会保障局", "人社局", "人社"),
    ("自然资源和规划局", "自然资源局", "自然资源"),
    ("生态环境局", "生态环境局", "生态环境"),
    ("住房和城乡建设局", "住建局", "住建"),
    ("交通运输局", "交通运输局", "交通"),
    ("水利局", "水利局", "水利"),
    ("农业农村局", "农业农村局", "农业"),
    ("商务局", "商务局", "商务"),
    ("文化和旅游局", "文旅局", "文旅"),
    ("卫生健康委员会", "卫健委", "卫生健康"),
    ("退役军人事务局", "退役军人事务局", "退役军人"),
    ("应急管理局", "应急局", "应急"),
    ("审计局", "审计局", "审计"),
    ("市场监督管理局", "市场监管局", "市场监管"),
    ("统计局", "统计局", "统计"),
    ("医疗保障局", "医保局", "医保"),
    ("城市管理局", "城管局", "城管"),
    ("发展和改革委员会", "发改委", "发展改革"),
    ("工业和信息化局", "工信局", "工信"),
    ("公安局", "公安局", "公安"),
    ("林业局", "林业局", "林业"),
    ("行政审批服务局", "审批局", "行政审批"),
    ("大数据局", "大数据局", "大数据"),
    ("粮食和物资储备局", "粮储局", "粮食"),
    ("体育局", "体育局", "体育"),
    ("机关事务管理局", "机关事务局", "机关事务"),
    ("人民政府办公室", "政府办", "政务"),
    ("档案馆", "档案馆", "档案"),
    ("地方金融监督管理局", "金融局", "金融"),
    ("信访局", "信访局", "信访"),
    ("民族宗教事务局", "民宗局", "民族宗教"),
    ("气象局", "气象局", "气象"),
]

YEARS = range(2019, 2025)

_SEED_PLACES = {  # what the seeds name, longest first within each group
    "full": ["聊城市", "周口市", "博山区", "曲阜市", "威海市", "淄博市"],
    "short": ["聊城", "周口", "博山", "曲阜", "威海", "淄博"],
    "province": ["山东省", "河南省", "山东", "河南"],
}

_HEADING = re.compile(
    r"^([一二三四五六])、\s*(总体情况|主动公开政府信息情况|收到和处理|政府信息公开行政复议|存在的主要问题|其他)"
)
_SENTENCE = re.compile(r"[^。！？；]+[。！？；]?")
_URL = re.compile(r"<?https?://[A-Za-z0-9./?=&_%\-]+>?")
_EMAIL = re.compile(r"[A-Za-z0-9._\-]+@[A-Za-z0-9.\-]+\.[a-z]{2,}")
_NUMBER = re.compile(r"(?<![A-Za-z0-9〔\[])(\d+)(?![\d])")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Place:
    province: str
    name: str  # 聊城市, 博山区, 延边朝鲜族自治州
    short: str  # 聊城, 博山


def _short(name: str) -> str:
    for suffix in (
        "朝鲜族自治州",
        "土家族苗族自治州",
        "彝族自治州",
        "苗族侗族自治州",
        "白族自治州",
        "哈尼族彝族自治州",
    ):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    for suffix in (
        "傣族自治州",
        "藏族自治州",
        "蒙古族藏族自治州",
        "哈萨克自治州",
        "地区",
        "盟",
        "市",
        "区",
        "县",
        "旗",
    ):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def places() -> list[Place]:
    """Every real place name the generator uses (cities, then county-level places)."""
    result: list[Place] = []
    for block, is_city in ((_CITIES, True), (_COUNTIES, False)):
        for line in block.strip().splitlines():
            province, names = line.split(":")
            for name in names.split():
                if is_city and not name.endswith(("市", "州", "盟", "地区")):
                    name += "市"
                result.append(Place(province, name, _short(name)))
    return result


def province_full(province: str) -> str:
    if province in ("北京", "天津", "上海", "重庆"):
        return province + "市"
    if province in ("内蒙古", "西藏"):
        return province + "自治区"
    return {"广西": "广西壮族自治区", "宁夏": "宁夏回族自治区", "新疆": "新疆维吾尔自治区"}.get(
        province, province + "省"
    )


@dataclass
class Seed:
    year: int
    preamble: list[str]  # paragraphs after the title
    sections: dict[int, list[str]]  # section number 1-6 → its lines, heading excluded
    headings: dict[int, str]


def _parse_seed(text: str) -> Seed:
    lines = text.splitlines()
    year_match = re.search(r"(20\d\d)\s*年", text)
    year = int(year_match.group(1)) if year_match else 2022
    section = 0
    preamble: list[str] = []
    sections: dict[int, list[str]] = {number: [] for number in range(1, 7)}
    headings: dict[int, str] = {}
    seen_title = False
    for line in lines:
        match = _HEADING.match(line)
        if match and "一二三四五六".index(match.group(1)) + 1 == section + 1:
            section += 1
            headings[section] = line.strip()
            continue
        if section == 0:
            if not seen_title:
                seen_title = "年度报告" in line
                continue
            if line.strip():
                preamble.append(line.strip())
        else:
            sections[section].append(line)
    return Seed(year, preamble, sections, headings)


def load_seeds(directory: Path = SEED_DIR) -> list[Seed]:
    seeds = [_parse_seed(path.read_text(encoding="utf-8")) for path in sorted(directory.glob("*.txt"))]
    if not seeds:
        raise FileNotFoundError(f"no seed texts in {directory}")
    return seeds


def _is_prose(line: str) -> bool:
    stripped = line.strip()
    return "\t" not in line and len(stripped) >= 20 and not stripped.startswith("[image")


def _sentences(lines: list[str]) -> list[str]:
    result: list[str] = []
    for line in lines:
        if _is_prose(line):
            result.extend(s.strip() for s in _SENTENCE.findall(line.strip()) if len(s.strip()) >= 6)
    return result


class Generator:
    """Builds one report text at a time from the seeds, drawing every choice from one ``random.Random``."""

    def __init__(self, seed: int, seed_dir: Path = SEED_DIR) -> None:
        self.rng = random.Random(seed)
        self.seeds = load_seeds(seed_dir)
        self.places = places()
        self.pools = {
            number: [s for seed_ in self.seeds for s in _sentences(seed_.sections[number])] for number in (1, 5, 6)
        }
        # Each (place, department, year) once, as in reality: two reports with one title and similar text would
        # be linked into one report by the archive (intake.linking). Repeats only after all are used up.
        self._identities = [
            (place, department, year) for place in self.places for department in _DEPARTMENTS for year in YEARS
        ]
        self.rng.shuffle(self._identities)
        self._next_identity = 0

    def _identity(self) -> tuple[Place, tuple[str, str, str], int]:
        identity = self._identities[self._next_identity % len(self._identities)]
        self._next_identity += 1
        return identity

    def _random_word(self, low: int, high: int) -> str:
        return "".join(self.rng.choice(_LETTERS) for _ in range(self.rng.randint(low, high)))

    def _number(self, match: re.Match[str], text: str, year: int, seed_year: int) -> str:
        digits = match.group(1)
        after = text[match.end() : match.end() + 1]
        value = int(digits)
        if len(digits) == 4 and 1990 <= value <= 2030:
            return str(year + value - seed_year)
        if after in (".", "、", "．", "月", "日") or (len(digits) == 2 and digits == "30" and after == "号"):
            return digits  # list markers, dates, 国办公开办函〔2021〕30号
        if value == 0 and self.rng.random() < 0.7:
            return "0"
        if len(digits) == 1:
            return str(self.rng.randint(0, 9))
        return str(self.rng.randint(10 ** (len(digits) - 1), 10 ** len(digits) - 1))

    def _rewrite(self, text: str, context: dict[str, str], year: int, seed_year: int) -> str:
        text = _URL.sub(
            lambda _: context["url"] + ("/" + self._random_word(2, 6) if self.rng.random() < 0.5 else "/"), text
        )
        text = _EMAIL.sub(lambda _: context["email"], text)
        for name in _SEED_PLACES["full"]:
            text = text.replace(name, context["place"])
        for name in _SEED_PLACES["short"]:
            text = text.replace(name, context["short"])
        for name in _SEED_PLACES["province"]:
            text = text.replace(name, context["province"])
        text = text.replace("科学技术局", context["dept"]).replace("科技局", context["dept_short"])
        text = text.replace("科技", context["subject"])
        return _NUMBER.sub(lambda m: self._number(m, text, year, seed_year), text)

    def _prose(self, number: int, budget: int, context: dict[str, str], year: int) -> list[str]:
        """Paragraphs of sentences drawn from section ``number`` of every seed, about ``budget`` bytes."""
        pool = self.pools[number]
        order = self.rng.sample(pool, len(pool))
        paragraphs: list[str] = []
        size = 0
        index = 0
        while size < budget or not paragraphs:
            count = self.rng.randint(2, 6)
            sentences = []
            for _ in range(count):
                if index == len(order):
                    order, index = self.rng.sample(pool, len(pool)), 0
                sentences.append(order[index])
                index += 1
            paragraph = self._rewrite("".join(sentences), context, year, self.seeds[0].year)
            paragraphs.append(paragraph)
            size += len(paragraph.encode()) + 2
        return paragraphs

    def report(self) -> str:
        rng = self.rng
        place, (dept, dept_short, subject), year = self._identity()
        domain = self._random_word(3, 8)
        host = rng.choice(["www", "xxgk", "zwgk", domain[:3]])
        context = {
            "place": place.name,
            "short": place.short,
            "province": rng.choice([place.province, province_full(place.province)]),
            "dept": dept,
            "dept_short": dept_short,
            "subject": subject,
            "url": f"{rng.choice(['http', 'https'])}://{host}.{domain}.gov.cn",
            "email": f"{self._random_word(4, 10)}@{domain}.gov.cn",
        }
        agency = place.name + dept
        title_style = rng.randrange(3)
        if title_style == 0:
            head = [agency, f"{year}年政府信息公开工作年度报告"]
        elif title_style == 1:
            head = [agency, f"{year} 年度政府信息公开工作年度报告"]
        else:
            head = [f"{agency}{year}年政府信息公开工作年度报告"]
        target = rng.randint(9000, 11000)

        def whole(seed: Seed, number: int) -> str:
            lines = [seed.headings.get(number, ""), *seed.sections[number]]
            return self._rewrite("\n".join(lines).strip("\n"), context, year, seed.year)

        preamble_seed = rng.choice(self.seeds)
        preamble = [self._rewrite(p, context, year, preamble_seed.year) for p in preamble_seed.preamble]
        tables = {number: whole(rng.choice(self.seeds), number) for number in (2, 3, 4)}
        fixed = len("\n\n".join([*head, *preamble, *tables.values()]).encode())
        budget = max(600, target - fixed - 1000)
        shares = {1: 0.5, 5: 0.25, 6: 0.25}
        prose = {number: self._prose(number, int(budget * share), context, year) for number, share in shares.items()}
        headings = self.seeds[0].headings
        date = f"{year + 1}年{rng.randint(1, 3)}月{rng.randint(1, 28)}日"
        parts = [
            *head,
            *preamble,
            headings[1],
            *prose[1],
            tables[2],
            tables[3],
            tables[4],
            headings[5],
            *prose[5],
            headings[6],
            *prose[6],
            agency,
            date,
        ]
        return "\n\n".join(parts) + "\n"


def text_identity(text: str) -> str:
    """What makes two texts the same report in the archive (see ``intake.ingest.text_key``)."""
    letters = "".join(char for char in unicodedata.normalize("NFKC", text).lower() if char.isalnum())
    return hashlib.sha256(letters.encode()).hexdigest()


def generate(n: int, seed: int) -> Iterator[str]:
    """``n`` distinct report texts, the same ones for the same ``seed``."""
    generator = Generator(seed)
    seen: set[str] = set()
    produced = 0
    while produced < n:
        text = generator.report()
        key = text_identity(text)
        if key in seen:
            continue
        seen.add(key)
        produced += 1
        yield text


if __name__ == "__main__":
    import sys

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    for text in generate(count, seed=int(sys.argv[2]) if len(sys.argv) > 2 else 1):
        print(text)
        print("=" * 40)
