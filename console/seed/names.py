"""Name pools for the seeds (Chinese names with pinyin, Latin names by region) and any name's search keys."""

from __future__ import annotations

import functools
import random
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# A name as the seeds store it: what is shown, and the two search keys the lookup uses.
NameRow = tuple[str, str, str]  # (full_name, name_pinyin, name_initials)

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD_SPLIT = re.compile(r"[\s\-]+")


def is_chinese(name: str) -> bool:
    return _CJK.search(name) is not None


def name_keys(full_name: str) -> tuple[str, str]:
    """The pinyin and initials a name is found by.

    "王伟" -> ("wangwei", "ww"); "John Smith" -> ("johnsmith", "js").
    """
    if is_chinese(full_name):
        from pypinyin import lazy_pinyin  # slow to import; only names with Chinese characters need it

        syllables = [_letters(s) for s in lazy_pinyin(full_name)]
    else:
        syllables = [_letters(word) for word in _LATIN_WORD_SPLIT.split(full_name)]
    syllables = [s for s in syllables if s]
    return "".join(syllables), "".join(s[0] for s in syllables)


def _letters(text: str) -> str:
    # Accents are folded away ("José" -> "jose") so a caller spelling the name without them still matches.
    folded = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in folded.lower() if "a" <= ch <= "z")


# Common mainland surnames with rough weights (per 10,000 people). Surnames whose everyday reading
# differs from pypinyin's default (曾 zeng/ceng, 覃 qin/tan, 单, 解, 仇 ...) are left out, so the
# stored pinyin is what a caller would spell.
SURNAMES_SIMPLIFIED: tuple[tuple[str, int], ...] = (
    ("王", 725),
    ("李", 719),
    ("张", 683),
    ("刘", 538),
    ("陈", 453),
    ("杨", 308),
    ("黄", 223),
    ("赵", 229),
    ("吴", 205),
    ("周", 200),
    ("徐", 167),
    ("孙", 154),
    ("马", 130),
    ("朱", 126),
    ("胡", 131),
    ("郭", 115),
    ("何", 106),
    ("高", 100),
    ("林", 100),
    ("罗", 87),
    ("郑", 80),
    ("梁", 80),
    ("谢", 70),
    ("宋", 60),
    ("唐", 60),
    ("许", 60),
    ("韩", 55),
    ("冯", 55),
    ("邓", 55),
    ("曹", 50),
    ("彭", 50),
    ("肖", 50),
    ("田", 40),
    ("董", 40),
    ("袁", 40),
    ("潘", 40),
    ("于", 40),
    ("蒋", 40),
    ("蔡", 40),
    ("余", 40),
    ("杜", 35),
    ("叶", 35),
    ("程", 35),
    ("苏", 35),
    ("魏", 33),
    ("吕", 30),
    ("丁", 30),
    ("任", 30),
    ("沈", 30),
    ("姚", 30),
    ("卢", 30),
    ("姜", 30),
    ("崔", 30),
    ("钟", 30),
    ("谭", 30),
    ("陆", 30),
    ("汪", 25),
    ("范", 25),
    ("金", 25),
    ("石", 25),
    ("廖", 25),
    ("贾", 25),
    ("夏", 22),
    ("韦", 22),
    ("付", 22),
    ("方", 22),
    ("白", 20),
    ("邹", 20),
    ("孟", 20),
    ("熊", 20),
    ("秦", 20),
    ("邱", 20),
    ("江", 20),
    ("尹", 18),
    ("薛", 18),
    ("闫", 18),
    ("段", 18),
    ("雷", 18),
    ("侯", 18),
    ("龙", 18),
    ("史", 16),
    ("陶", 16),
    ("黎", 16),
    ("贺", 16),
    ("顾", 15),
    ("毛", 15),
    ("郝", 15),
    ("龚", 15),
    ("邵", 15),
    ("万", 14),
    ("钱", 14),
    ("严", 14),
    ("武", 14),
    ("戴", 14),
    ("莫", 13),
    ("孔", 13),
    ("向", 13),
    ("汤", 13),
)

# Given-name characters; the first ones are the most popular and weigh more.
GIVEN_SIMPLIFIED = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建文辉玲婷鹏飞宇浩然欣怡佳琪子涵梓萱雨轩博宁"
    "晨阳嘉诗雅晓峰志红梅兰玉凤洁琳颖慧倩雪晶鑫斌彬亮凯旭东海波龙林卫国庆春燕萍琴云莉丹凡瑞祥福"
    "振宏伦家俊豪睿泽昊天逸晗悦瑶婉清婧妍薇蕾琦璐萌露宸航铭昕楠"
)
SURNAMES_TRADITIONAL = "陳黃李張梁林劉吳何王鄭楊羅郭謝周蔡馮葉鄧麥朱蘇盧彭余袁潘杜馬"
GIVEN_TRADITIONAL = "嘉詠欣浩思家俊偉美玲志明文慧敏子軒穎琳德華麗芳婷傑豪寶儀雅慈恩希晴朗鴻輝凱盈"

# Romanized Chinese names as written in Hong Kong (Cantonese) and Singapore (Hokkien, Teochew ...).
HK_SURNAMES_LATIN = (
    "Chan",
    "Wong",
    "Lee",
    "Cheung",
    "Lau",
    "Ho",
    "Ng",
    "Leung",
    "Lam",
    "Tsang",
    "Yeung",
    "Chow",
    "Tse",
    "Lai",
    "Fung",
    "Mak",
    "Kwok",
    "Tang",
    "Yip",
    "Choi",
    "Siu",
    "Chu",
    "Law",
    "Poon",
)
HK_GIVEN_ENGLISH = (
    "Kelvin",
    "Ivan",
    "Karen",
    "Winnie",
    "Jacky",
    "Eric",
    "Cathy",
    "Vincent",
    "Priscilla",
    "Kenneth",
    "Carmen",
    "Raymond",
    "Joyce",
    "Alvin",
    "Vivian",
    "Derek",
    "Gigi",
    "Terence",
    "Fiona",
    "Wilson",
    "Queenie",
    "Marco",
    "Janice",
    "Ricky",
    "Stephanie",
    "Edmond",
)
SG_SURNAMES_LATIN = (
    "Tan",
    "Lim",
    "Lee",
    "Ng",
    "Ong",
    "Wong",
    "Goh",
    "Chua",
    "Chan",
    "Koh",
    "Teo",
    "Ang",
    "Yeo",
    "Tay",
    "Ho",
    "Low",
    "Toh",
    "Sim",
    "Chong",
    "Chia",
    "Seah",
    "Foo",
    "Heng",
    "Quek",
)
SG_GIVEN_SYLLABLES = (
    "Wei",
    "Ming",
    "Hui",
    "Ling",
    "Jun",
    "Kai",
    "Xin",
    "Yi",
    "Jia",
    "Hao",
    "Mei",
    "Zhi",
    "Qi",
    "Li",
    "Siew",
    "Boon",
    "Kok",
    "Chee",
    "Keong",
    "Seng",
    "Hock",
    "Leng",
    "Peng",
    "Yong",
)
MALAY_GIVEN_MALE = (
    "Muhammad",
    "Ahmad",
    "Hafiz",
    "Amir",
    "Zainal",
    "Faizal",
    "Iskandar",
    "Rizal",
    "Azman",
    "Firdaus",
    "Syafiq",
    "Hakim",
)
MALAY_GIVEN_FEMALE = (
    "Nur Aisyah",
    "Siti",
    "Farah",
    "Nurul",
    "Aisyah",
    "Zarina",
    "Noraini",
    "Liyana",
    "Syahirah",
    "Hidayah",
    "Amirah",
    "Izzati",
)
MALAY_FATHERS = (
    "Abdullah",
    "Rahman",
    "Ismail",
    "Hassan",
    "Osman",
    "Yusof",
    "Ibrahim",
    "Salleh",
    "Hamid",
    "Kassim",
    "Mohamed",
    "Ali",
)
INDIAN_GIVEN = (
    "Priya",
    "Rajesh",
    "Arjun",
    "Kavitha",
    "Suresh",
    "Deepa",
    "Vijay",
    "Lakshmi",
    "Ravi",
    "Anand",
    "Meena",
    "Ganesh",
    "Divya",
    "Karthik",
)
INDIAN_FAMILY = (
    "Raman",
    "Kumar",
    "Nair",
    "Pillai",
    "Menon",
    "Krishnan",
    "Subramaniam",
    "Rajan",
    "Naidu",
    "Iyer",
    "Chandran",
    "Devi",
)
WESTERN_GIVEN = (
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Susan",
    "Richard",
    "Jessica",
    "Thomas",
    "Sarah",
    "Daniel",
    "Emma",
    "Oliver",
    "Charlotte",
    "Jack",
    "Amelia",
    "Lucas",
    "Olivia",
    "Noah",
    "Grace",
    "Liam",
    "Chloe",
)
WESTERN_FAMILY = (
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Wilson",
    "Taylor",
    "Anderson",
    "Thomas",
    "Moore",
    "Martin",
    "Clark",
    "Walker",
    "Hall",
    "Young",
    "King",
    "Wright",
    "Scott",
    "Green",
    "Baker",
    "Evans",
    "Murphy",
    "Campbell",
    "Mitchell",
    "Roberts",
    "Turner",
)


@dataclass(frozen=True)
class _Part:
    """One pool entry with its search keys worked out once, so a million names need no pypinyin."""

    text: str
    pinyin: str
    initials: str


def _chinese_parts(chars: Sequence[str]) -> list[_Part]:
    from pypinyin import lazy_pinyin

    parts = []
    for ch in chars:
        syllable = lazy_pinyin(ch)[0]
        parts.append(_Part(ch, syllable, syllable[0]))
    return parts


def _latin_parts(words: Sequence[str]) -> list[_Part]:
    parts = []
    for word in words:
        pinyin, initials = name_keys(word)
        parts.append(_Part(word, pinyin, initials))
    return parts


def _join(parts: Sequence[_Part], separator: str) -> NameRow:
    return (
        separator.join(p.text for p in parts if p.text),
        "".join(p.pinyin for p in parts),
        "".join(p.initials for p in parts),
    )


# Shares of name styles among the customers of each region, as the synthetic seed draws them.
NAME_STYLES_BY_REGION: dict[str, tuple[tuple[str, int], ...]] = {
    "CN": (("chinese", 100),),
    "HK": (("traditional", 55), ("hk_english", 45)),
    "SG": (("chinese", 25), ("sg_romanized", 35), ("malay", 20), ("indian", 15), ("western", 5)),
    "MY": (("malay", 50), ("sg_romanized", 35), ("indian", 15)),
    "US": (("western", 85), ("hk_english", 15)),
    "GB": (("western", 85), ("hk_english", 15)),
    "AU": (("western", 85), ("hk_english", 15)),
}


class NamePools:
    """Every pool with its pinyin precomputed; draws whole batches of names from a seeded Random."""

    def __init__(self) -> None:
        surnames, weights = zip(*SURNAMES_SIMPLIFIED, strict=True)
        self._surnames = _chinese_parts(surnames)
        self._surname_weights = _cumulative(weights)
        given = _chinese_parts(list(dict.fromkeys(GIVEN_SIMPLIFIED)))
        # The 20 most popular characters are drawn five times as often as the rest.
        given_weights = [5 if i < 20 else 1 for i in range(len(given))]
        self._given = given
        self._given_weights = _cumulative(given_weights)
        # About a third of given names have one character: the empty part stands for "none".
        self._second = [*given, _Part("", "", "")]
        self._second_weights = _cumulative([*given_weights, sum(given_weights) // 2])
        self._trad_surnames = _chinese_parts(SURNAMES_TRADITIONAL)
        self._trad_given = _chinese_parts(list(dict.fromkeys(GIVEN_TRADITIONAL)))
        self._hk_surnames = _latin_parts(HK_SURNAMES_LATIN)
        self._hk_given = _latin_parts(HK_GIVEN_ENGLISH)
        self._sg_surnames = _latin_parts(SG_SURNAMES_LATIN)
        self._sg_syllables = _latin_parts(SG_GIVEN_SYLLABLES)
        self._malay_male = _latin_parts(MALAY_GIVEN_MALE)
        self._malay_female = _latin_parts(MALAY_GIVEN_FEMALE)
        self._malay_fathers = _latin_parts(MALAY_FATHERS)
        self._bin, self._binte = _latin_parts(("bin", "binte"))
        self._indian_given = _latin_parts(INDIAN_GIVEN)
        self._indian_family = _latin_parts(INDIAN_FAMILY)
        self._western_given = _latin_parts(WESTERN_GIVEN)
        self._western_family = _latin_parts(WESTERN_FAMILY)

    def names(self, rng: random.Random, style: str, count: int) -> list[NameRow]:
        generate: Callable[[random.Random, int], list[NameRow]] = getattr(self, f"_{style}")
        return generate(rng, count)

    def names_for_region(self, rng: random.Random, region: str, count: int) -> list[NameRow]:
        """`count` names in the mix of styles usual for `region`, in random order."""
        styles = NAME_STYLES_BY_REGION[region]
        picks = rng.choices([s for s, _ in styles], [w for _, w in styles], k=count)
        drawn = {s: iter(self.names(rng, s, picks.count(s))) for s, _ in styles}
        return [next(drawn[s]) for s in picks]

    def _chinese(self, rng: random.Random, count: int) -> list[NameRow]:
        surnames = rng.choices(self._surnames, cum_weights=self._surname_weights, k=count)
        firsts = rng.choices(self._given, cum_weights=self._given_weights, k=count)
        seconds = rng.choices(self._second, cum_weights=self._second_weights, k=count)
        return [
            (s.text + a.text + b.text, s.pinyin + a.pinyin + b.pinyin, s.initials + a.initials + b.initials)
            for s, a, b in zip(surnames, firsts, seconds, strict=True)
        ]

    def _traditional(self, rng: random.Random, count: int) -> list[NameRow]:
        return [_join((rng.choice(self._trad_surnames), *rng.sample(self._trad_given, 2)), "") for _ in range(count)]

    def _hk_english(self, rng: random.Random, count: int) -> list[NameRow]:
        return [_join((rng.choice(self._hk_given), rng.choice(self._hk_surnames)), " ") for _ in range(count)]

    def _sg_romanized(self, rng: random.Random, count: int) -> list[NameRow]:
        return [_join((rng.choice(self._sg_surnames), *rng.sample(self._sg_syllables, 2)), " ") for _ in range(count)]

    def _malay(self, rng: random.Random, count: int) -> list[NameRow]:
        rows = []
        for _ in range(count):
            if rng.random() < 0.5:
                parts = (rng.choice(self._malay_male), self._bin, rng.choice(self._malay_fathers))
            else:
                parts = (rng.choice(self._malay_female), self._binte, rng.choice(self._malay_fathers))
            rows.append(_join(parts, " "))
        return rows

    def _indian(self, rng: random.Random, count: int) -> list[NameRow]:
        return [_join((rng.choice(self._indian_given), rng.choice(self._indian_family)), " ") for _ in range(count)]

    def _western(self, rng: random.Random, count: int) -> list[NameRow]:
        return [_join((rng.choice(self._western_given), rng.choice(self._western_family)), " ") for _ in range(count)]


def _cumulative(weights: Sequence[int]) -> list[int]:
    total, out = 0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


@functools.cache
def name_pools() -> NamePools:
    """The pools, built once per process (pypinyin's dictionaries take a moment to load)."""
    return NamePools()
