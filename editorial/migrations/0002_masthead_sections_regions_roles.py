"""The office's starting data: masthead, the six standing sections, source regions, editorial roles.

Every step is idempotent (get_or_create / update_or_create), so it is safe to run on a
database that already has some of these rows.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.models import Q

PUBLICATION = {"title": "长三角每周要讯", "office": "浙江省人民政府驻上海办事处", "short_name": "每周要讯"}

SECTIONS = [
    ("科创聚焦", "sci-tech"),
    ("经济热点", "economy"),
    ("产业动向", "industry"),
    ("政策举措", "policy"),
    ("经验交流", "practice"),
    ("域外动态", "beyond-delta"),
]

DELTA = {"上海", "江苏", "浙江", "安徽"}

# Province-level regions in the order of the national administrative division codes.
# (name, slug, aliases). Single-character abbreviations only where they are unambiguous in news text.
PROVINCES = [
    ("北京", "beijing", "北京市"),
    ("天津", "tianjin", "天津市"),
    ("河北", "hebei", "河北省"),
    ("山西", "shanxi", "山西省"),
    ("内蒙古", "neimenggu", "内蒙古自治区"),
    ("辽宁", "liaoning", "辽宁省"),
    ("吉林", "jilin", "吉林省"),
    ("黑龙江", "heilongjiang", "黑龙江省"),
    ("上海", "shanghai", "上海市,沪"),
    ("江苏", "jiangsu", "江苏省"),
    ("浙江", "zhejiang", "浙江省,浙"),
    ("安徽", "anhui", "安徽省,皖"),
    ("福建", "fujian", "福建省"),
    ("江西", "jiangxi", "江西省"),
    ("山东", "shandong", "山东省"),
    ("河南", "henan", "河南省"),
    ("湖北", "hubei", "湖北省"),
    ("湖南", "hunan", "湖南省"),
    ("广东", "guangdong", "广东省"),
    ("广西", "guangxi", "广西壮族自治区"),
    ("海南", "hainan", "海南省"),
    ("重庆", "chongqing", "重庆市"),
    ("四川", "sichuan", "四川省"),
    ("贵州", "guizhou", "贵州省"),
    ("云南", "yunnan", "云南省"),
    ("西藏", "xizang", "西藏自治区"),
    ("陕西", "shaanxi", "陕西省"),
    ("甘肃", "gansu", "甘肃省"),
    ("青海", "qinghai", "青海省"),
    ("宁夏", "ningxia", "宁夏回族自治区"),
    ("新疆", "xinjiang", "新疆维吾尔自治区"),
    ("台湾", "taiwan", "台湾省"),
    ("香港", "xianggang", "香港特别行政区"),
    ("澳门", "aomen", "澳门特别行政区"),
]

# (name, slug, kind, parent slug, aliases)
LOCAL_REGIONS = [
    # 上海's districts and the Lingang special area.
    ("黄浦区", "huangpu", "district", "shanghai", ""),
    ("徐汇区", "xuhui", "district", "shanghai", "徐汇"),
    ("长宁区", "changning", "district", "shanghai", "长宁"),
    ("静安区", "jingan", "district", "shanghai", "静安"),
    ("普陀区", "putuo", "district", "shanghai", ""),
    ("虹口区", "hongkou", "district", "shanghai", "虹口"),
    ("杨浦区", "yangpu", "district", "shanghai", "杨浦"),
    ("闵行区", "minhang", "district", "shanghai", "闵行"),
    ("宝山区", "baoshan", "district", "shanghai", "宝山"),
    ("嘉定区", "jiading", "district", "shanghai", "嘉定"),
    ("浦东新区", "pudong", "district", "shanghai", "浦东"),
    ("金山区", "jinshan", "district", "shanghai", ""),
    ("松江区", "songjiang", "district", "shanghai", "松江"),
    ("青浦区", "qingpu", "district", "shanghai", "青浦"),
    ("奉贤区", "fengxian", "district", "shanghai", "奉贤"),
    ("崇明区", "chongming", "district", "shanghai", "崇明"),
    ("临港新片区", "lingang", "district", "shanghai", "临港"),
    # 江苏's prefecture-level cities.
    ("南京", "nanjing", "city", "jiangsu", "南京市"),
    ("无锡", "wuxi", "city", "jiangsu", "无锡市"),
    ("徐州", "xuzhou", "city", "jiangsu", "徐州市"),
    ("常州", "changzhou", "city", "jiangsu", "常州市"),
    ("苏州", "suzhou", "city", "jiangsu", "苏州市"),
    ("南通", "nantong", "city", "jiangsu", "南通市"),
    ("连云港", "lianyungang", "city", "jiangsu", "连云港市"),
    ("淮安", "huaian", "city", "jiangsu", "淮安市"),
    ("盐城", "yancheng", "city", "jiangsu", "盐城市"),
    ("扬州", "yangzhou", "city", "jiangsu", "扬州市"),
    ("镇江", "zhenjiang", "city", "jiangsu", "镇江市"),
    ("泰州", "taizhou-js", "city", "jiangsu", "泰州市"),
    ("宿迁", "suqian", "city", "jiangsu", "宿迁市"),
    ("吴江", "wujiang", "district", "suzhou", "吴江区"),
    # 浙江's prefecture-level cities.
    ("杭州", "hangzhou", "city", "zhejiang", "杭州市"),
    ("宁波", "ningbo", "city", "zhejiang", "宁波市"),
    ("温州", "wenzhou", "city", "zhejiang", "温州市"),
    ("嘉兴", "jiaxing", "city", "zhejiang", "嘉兴市"),
    ("湖州", "huzhou", "city", "zhejiang", "湖州市"),
    ("绍兴", "shaoxing", "city", "zhejiang", "绍兴市"),
    ("金华", "jinhua", "city", "zhejiang", "金华市"),
    ("衢州", "quzhou", "city", "zhejiang", "衢州市"),
    ("舟山", "zhoushan", "city", "zhejiang", "舟山市"),
    ("台州", "taizhou-zj", "city", "zhejiang", "台州市"),
    ("丽水", "lishui", "city", "zhejiang", "丽水市"),
    ("嘉善", "jiashan", "district", "jiaxing", "嘉善县"),
    # 安徽's prefecture-level cities.
    ("合肥", "hefei", "city", "anhui", "合肥市"),
    ("芜湖", "wuhu", "city", "anhui", "芜湖市"),
    ("蚌埠", "bengbu", "city", "anhui", "蚌埠市"),
    ("淮南", "huainan", "city", "anhui", "淮南市"),
    ("马鞍山", "maanshan", "city", "anhui", "马鞍山市"),
    ("淮北", "huaibei", "city", "anhui", "淮北市"),
    ("铜陵", "tongling", "city", "anhui", "铜陵市"),
    ("安庆", "anqing", "city", "anhui", "安庆市"),
    ("黄山", "huangshan", "city", "anhui", "黄山市"),
    ("滁州", "chuzhou", "city", "anhui", "滁州市"),
    ("阜阳", "fuyang", "city", "anhui", "阜阳市"),
    ("宿州", "suzhou-ah", "city", "anhui", "宿州市"),
    ("六安", "luan", "city", "anhui", "六安市"),
    ("亳州", "bozhou", "city", "anhui", "亳州市"),
    ("池州", "chizhou", "city", "anhui", "池州市"),
    ("宣城", "xuancheng", "city", "anhui", "宣城市"),
    # Beyond the delta: cities the digest reports from.
    ("青岛", "qingdao", "city", "shandong", "青岛市"),
    ("深圳", "shenzhen", "city", "guangdong", "深圳市"),
    ("广州", "guangzhou", "city", "guangdong", "广州市"),
]

EDITOR_PERMISSIONS = [
    "view_publication",
    "view_section",
    "view_sourceregion",
    "view_issue",
    "add_issue",
    "change_issue",
    "view_issuesection",
    "add_issuesection",
    "change_issuesection",
    "delete_issuesection",
    "view_article",
    "add_article",
    "change_article",
    "delete_article",
    "view_issuetransition",
]
REVIEWER_PERMISSIONS = [*EDITOR_PERMISSIONS, "delete_issue", "approve_issue", "publish_issue", "change_published_issue"]
ROLES = {"编辑": EDITOR_PERMISSIONS, "审核": REVIEWER_PERMISSIONS}
ADMINISTRATOR = "管理员"


def load_masthead_and_sections(apps, schema_editor):
    Publication = apps.get_model("editorial", "Publication")
    Section = apps.get_model("editorial", "Section")
    if not Publication.objects.exists():
        Publication.objects.create(**PUBLICATION)
    for position, (name, slug) in enumerate(SECTIONS, start=1):
        Section.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})


def load_regions(apps, schema_editor):
    SourceRegion = apps.get_model("editorial", "SourceRegion")
    by_slug = {}
    position = 0
    for name, slug, aliases in PROVINCES:
        position += 10
        by_slug[slug], _ = SourceRegion.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "kind": "province",
                "parent": None,
                "aliases": aliases,
                "in_yangtze_delta": name in DELTA,
                "position": position,
            },
        )
    for name, slug, kind, parent_slug, aliases in LOCAL_REGIONS:
        position += 10
        parent = by_slug[parent_slug]
        by_slug[slug], _ = SourceRegion.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "kind": kind,
                "parent": parent,
                "aliases": aliases,
                "in_yangtze_delta": parent.in_yangtze_delta,
                "position": position,
            },
        )


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; roles need them now.
    for label in ("auth", "contenttypes", "editorial"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editorial = Permission.objects.filter(content_type__app_label="editorial")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(editorial.filter(codename__in=codenames))
    administrator, _ = Group.objects.get_or_create(name=ADMINISTRATOR)
    administrator.permissions.set(
        Permission.objects.filter(
            Q(content_type__app_label="editorial")
            | Q(content_type__app_label="auth", content_type__model__in=["user", "group"])
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(load_masthead_and_sections, migrations.RunPython.noop),
        migrations.RunPython(load_regions, migrations.RunPython.noop),
        migrations.RunPython(create_roles, migrations.RunPython.noop),
    ]
