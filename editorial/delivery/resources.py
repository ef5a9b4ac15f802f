"""The recipient lists as a spreadsheet (django-import-export), with the formula-safe rules of editorial/resources.py.

Columns: 分组 (报/送/发), 单位, 姓名, 邮箱, 启用 (是/否), 排序. Rows are matched by address, so a sheet
exported, edited and imported back updates the recipients it names and adds the new ones.
"""

from import_export import fields, widgets

from ..models import Recipient, normalise_email
from ..resources import ChoiceLabelWidget, SpreadsheetResource, YesNoWidget


class EmailWidget(widgets.CharWidget):
    """An address as it is stored: trimmed and lower case, so a sheet finds its recipient whatever the spelling."""

    def clean(self, value, row=None, **kwargs):
        return normalise_email(super().clean(value, row=row, **kwargs))


class RecipientResource(SpreadsheetResource):
    group = fields.Field(attribute="group", column_name="分组", widget=ChoiceLabelWidget(Recipient.Group))
    unit = fields.Field(attribute="unit", column_name="单位")
    name = fields.Field(attribute="name", column_name="姓名")
    email = fields.Field(attribute="email", column_name="邮箱", widget=EmailWidget())
    active = fields.Field(attribute="active", column_name="启用", widget=YesNoWidget(), default=True)
    position = fields.Field(attribute="position", column_name="排序", widget=widgets.IntegerWidget(), default=0)

    class Meta:
        model = Recipient
        fields = ["group", "unit", "name", "email", "active", "position"]
        export_order = fields
        import_id_fields = ["email"]
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def get_queryset(self):
        return Recipient.objects.in_list_order()
