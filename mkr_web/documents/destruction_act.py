"""The destruction act of an anonymisation batch (PDF, WeasyPrint through the sandboxed
renderer) and the extract of the audit log for its persons (XLSX). What the act holds, and
why it names persons by record number only: docs/PERSONAL_DATA.md."""

from __future__ import annotations

from .pdf import render_pdf
from .tables import xlsx_bytes

#: The categories of personal data the anonymisation erases (operations.privacy).
ERASED_CATEGORIES = [
    "фамилия, имя, отчество",
    "дата рождения (кроме года)",
    "адрес электронной почты, номер телефона",
    "ФИО и контакты родителя (законного представителя)",
    "ссылка на профиль в социальной сети",
    "сканы согласий на обработку персональных данных (файлы удалены из хранилища)",
    "ФИО давшего согласие; данные строк протоколов о включении в банк",
]
KEPT = (
    "история статусов, участия, достижения, стажировки, муниципалитет и организация, "
    "год рождения — без сведений, позволяющих определить человека, для отчётности программы"
)
METHOD = (
    "обезличивание записей в базе данных (перезапись персональных полей) и удаление "
    "файлов сканов из хранилища; выполнено программно после утверждения оператором"
)
AUDIT_HEADERS = ["Дата и время (UTC)", "Запись №", "Действие", "Пользователь", "Роль", "Сведения"]


def act_pdf(**context) -> bytes:
    return render_pdf(
        "destruction_act.html",
        categories=ERASED_CATEGORIES,
        kept=KEPT,
        method=METHOD,
        **context,
    )


def audit_extract_xlsx(entries) -> bytes:
    rows = [
        (
            e.at.strftime("%d.%m.%Y %H:%M:%S"),
            e.object_id,
            e.action,
            e.user.email if e.user else "система",
            e.role or "",
            ", ".join(f"{k}={v}" for k, v in sorted((e.details or {}).items())),
        )
        for e in entries
    ]
    return xlsx_bytes("Журнал", AUDIT_HEADERS, rows)
