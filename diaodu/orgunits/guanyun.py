"""Guanyun County (灌云县, 320723) and its Lianyungang peers, as seed data.

Codes: the county uses its administrative code; internal units use the county code with a suffix
(T = town/subdistrict, Z = zone, P = park, IZ = a town's industrial cluster, D = department).
Statistical division codes are filled in where known (DOMAIN.md §5).
"""

from __future__ import annotations

from typing import NamedTuple


class UnitSeed(NamedTuple):
    code: str
    name: str
    short_name: str
    kind: str
    parent: str | None
    admin_code: str = ""
    stat_code: str = ""
    is_external: bool = False


COUNTY = "320723"

TOWNS: list[tuple[str, str, str, str]] = [
    # code suffix, name, short name, statistical code
    ("T01", "侍庄街道", "侍庄", ""),
    ("T02", "伊山镇", "伊山", "320723100"),
    ("T03", "杨集镇", "杨集", ""),
    ("T04", "燕尾港镇", "燕尾港", "320723103"),
    ("T05", "同兴镇", "同兴", "320723104"),
    ("T06", "四队镇", "四队", ""),
    ("T07", "圩丰镇", "圩丰", ""),
    ("T08", "龙苴镇", "龙苴", ""),
    ("T09", "下车镇", "下车", ""),
    ("T10", "图河镇", "图河", ""),
    ("T11", "东王集镇", "东王集", ""),
    ("T12", "小伊镇", "小伊", ""),
    ("T13", "南岗镇", "南岗", ""),
]

# 燕尾港镇 shares its administration with 临港产业区, whose industry stands for the town's.
TOWNS_WITHOUT_CLUSTER = {"T04"}

DEPARTMENTS: list[tuple[str, str, str]] = [
    ("D01", "灌云县发展和改革委员会", "发改委"),
    ("D02", "灌云县商务局", "商务局"),
    ("D03", "灌云县统计局", "统计局"),
    ("D04", "灌云县工业和信息化局", "工信局"),
    ("D05", "灌云县财政局", "财政局"),
    ("D06", "灌云县自然资源和规划局", "自然资源和规划局"),
    ("D07", "灌云县住房和城乡建设局", "住建局"),
    ("D08", "灌云县生态环境局", "生态环境局"),
    ("D09", "灌云县应急管理局", "应急管理局"),
    ("D10", "灌云县行政审批局", "行政审批局"),
    ("D11", "县委县政府督查室", "督查室"),
]

PEERS: list[tuple[str, str, str]] = [
    ("320703", "连云区", "连云"),
    ("320706", "海州区", "海州"),
    ("320707", "赣榆区", "赣榆"),
    ("320722", "东海县", "东海"),
    ("320724", "灌南县", "灌南"),
]
PEER_GROUP_CODE = "lyg-counties"
PEER_GROUP_NAME = "连云港市县区"


def guanyun_units() -> list[UnitSeed]:
    """Every unit in parent-before-child order."""
    c = COUNTY
    units = [UnitSeed(c, "灌云县", "灌云", "county", None, admin_code=c)]
    units += [
        UnitSeed(f"{c}-Z01", "临港产业区", "临港", "zone", c),
        UnitSeed(f"{c}-Z01-P01", "灌云县临港产业区化工产业园", "化工园区", "park", f"{c}-Z01"),
        UnitSeed(f"{c}-Z02", "经济开发区", "开发区", "zone", c),
        UnitSeed(f"{c}-Z02-P01", "小伊空港片区", "空港片区", "park", f"{c}-Z02"),
        UnitSeed(f"{c}-Z02-P02", "下车北部片区", "下车北部", "park", f"{c}-Z02"),
        UnitSeed(f"{c}-Z02-P03", "江阴灌云工业园区", "澄灌园", "park", f"{c}-Z02"),
    ]
    for suffix, name, short, stat in TOWNS:
        kind = "subdistrict" if name.endswith("街道") else "town"
        units.append(UnitSeed(f"{c}-{suffix}", name, short, kind, c, stat_code=stat))
    for suffix, name, short, _stat in TOWNS:
        if suffix in TOWNS_WITHOUT_CLUSTER:
            continue
        units.append(
            UnitSeed(f"{c}-{suffix}-IZ", f"{name}工业集中区", f"{short}集中区", "cluster", f"{c}-{suffix}")
        )
    units += [UnitSeed(f"{c}-{suffix}", name, short, "department", c) for suffix, name, short in DEPARTMENTS]
    return units


def peer_units() -> list[UnitSeed]:
    return [
        UnitSeed(code, name, short, "peer", None, admin_code=code, is_external=True)
        for code, name, short in PEERS
    ]
