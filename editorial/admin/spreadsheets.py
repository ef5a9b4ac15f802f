"""Spreadsheet imports in the admin (django-import-export), with limits an uploaded file cannot get around.

- Size: at most MAX_UPLOAD_BYTES per file, checked before the file is read.
- Type: the file name must end in an offered format's extension (.csv, .xlsx, .json).
- Zip bombs: an .xlsx is a zip archive whose parts may unpack to gigabytes. The sizes the
  archive declares are checked before openpyxl opens it; Python's zipfile never inflates a
  part beyond its declared size (a lying archive fails its CRC check instead).
- Rows: at most MAX_ROWS rows a sheet.
- Bad files and stale confirmations: a file that cannot be read, or a confirmation whose
  waiting sheet is gone (confirmed twice, older than an hour — editorial/previews.py —, or
  tampered with), gets a message in Chinese,
  and nothing is written (the copy the package parks for the confirmation is removed again).
"""

import zipfile
from functools import cache
from io import BytesIO

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from import_export.admin import ImportExportMixin
from import_export.forms import ImportForm

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ROWS = 5000


class SpreadsheetRejected(ValueError):
    """A sheet refused before or while it is read; the message is for the editor."""


def check_xlsx_archive(data: bytes) -> None:
    """Refuse an .xlsx that is not a zip archive, or whose parts would unpack to more than MAX_UNPACKED_BYTES."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            unpacked = sum(part.file_size for part in archive.infolist())
    except zipfile.BadZipFile as error:
        raise SpreadsheetRejected(
            "这不是有效的 Excel（.xlsx）文件，可能已损坏。请用 Excel 或 WPS 重新保存后再上传。"
        ) from error
    if unpacked > MAX_UNPACKED_BYTES:
        raise SpreadsheetRejected(
            f"这个 Excel 文件解压后超过 {MAX_UNPACKED_BYTES // (1024 * 1024)} MB，不像正常的稿件表格，已拒绝导入。"
        )


@cache
def guarded(format_class):
    """The import format class with the archive check before parsing and the row limit after."""

    class Guarded(format_class):
        def create_dataset(self, in_stream):
            if self.get_extension() == "xlsx":
                check_xlsx_archive(in_stream)
            dataset = super().create_dataset(in_stream)
            if dataset.height > MAX_ROWS:
                raise SpreadsheetRejected(f"表格有 {dataset.height} 行，一次最多导入 {MAX_ROWS} 行，请分批导入。")
            return dataset

    Guarded.__name__ = Guarded.__qualname__ = format_class.__name__
    return Guarded


class SpreadsheetImportForm(ImportForm):
    """The upload form: size and file type checked before anything reads the file."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.extensions = [format_class().get_extension() for format_class in formats]
        self.fields["import_file"].help_text = (
            f"可导入 {'、'.join('.' + extension for extension in self.extensions)} 文件，"
            f"每个不超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB、{MAX_ROWS} 行。"
        )

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"文件太大（{upload.size / 1024 / 1024:.1f} MB），一次最多导入 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB。"
            )
        extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if extension not in self.extensions:
            raise forms.ValidationError(
                f"只能导入 {'、'.join('.' + extension for extension in self.extensions)} 文件，"
                f"“{upload.name[:80]}”不是。"
            )
        return upload


class SpreadsheetImportMixin(ImportExportMixin):
    """ImportExportMixin with the limits above and Chinese messages for what it refuses."""

    import_form_class = SpreadsheetImportForm

    def get_import_formats(self):
        return [guarded(format_class) for format_class in super().get_import_formats()]

    def add_data_read_fail_error_to_form(self, form, e):
        # The package has already parked the upload for the confirmation that will never come.
        parked = getattr(form.cleaned_data.get("import_file"), "tmp_storage_name", None)
        if parked:
            self.get_tmp_storage_class()(name=parked, **self.get_tmp_storage_class_kwargs()).remove()
        if isinstance(e, SpreadsheetRejected):
            form.add_error("import_file", str(e))
        else:
            form.add_error(
                "import_file",
                f"无法读取这个文件（{type(e).__name__}）。请确认所选格式与文件一致，文件没有损坏，然后重新上传。",
            )

    def process_import(self, request, **kwargs):
        if request.method == "POST" and self.has_import_permission(request) and not self._pending_sheet_ok(request):
            messages.error(
                request,
                "这份表格已经导入过、预览已超过一小时，或确认信息无效。没有导入任何内容；如需导入，请重新上传文件。",
            )
            opts = self.model._meta
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_import"))
        return super().process_import(request, **kwargs)

    def _pending_sheet_ok(self, request) -> bool:
        """Whether the confirmation names an offered format and a sheet still waiting in storage."""
        form = self.create_confirm_form(request)
        if not form.is_valid():
            return True  # the package shows the form's own errors
        raw_format = form.cleaned_data["format"]
        if not raw_format.isdigit() or int(raw_format) >= len(self.get_import_formats()):
            return False
        storage = self.get_tmp_storage_class()(
            name=form.cleaned_data["import_file_name"], **self.get_tmp_storage_class_kwargs()
        )
        try:
            return storage.read() is not None
        except OSError:
            return False
