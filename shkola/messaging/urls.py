from django.urls import path

from . import views

app_name = "messaging"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("sent/", views.sent, name="sent"),
    path("drafts/", views.drafts, name="drafts"),
    path("trash/", views.trash, name="trash"),
    path("new/", views.compose, name="compose"),
    path("drafts/<id:draft_id>/", views.draft_edit, name="draft_edit"),
    path("drafts/<id:draft_id>/delete/", views.draft_delete, name="draft_delete"),
    path("<id:message_id>/", views.message, name="message"),
    path("<id:message_id>/reply/", views.reply, name="reply"),
    path("<id:message_id>/to-trash/", views.move_to_trash, name="move_to_trash"),
    path("<id:message_id>/restore/", views.restore, name="restore"),
    path("files/<id:attachment_id>/", views.attachment, name="attachment"),
]
