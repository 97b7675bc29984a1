"""Words and addresses the Downloads templates use, wherever a download is shown."""

from app.downloads import bp, forms, thumbs, views

bp.add_app_template_global(thumbs.thumb_url, "download_thumb")
bp.add_app_template_global(views.plex_words, "download_plex_words")
bp.add_app_template_global(views.progress_line, "download_progress_line")
bp.add_app_template_global(views.pct_of, "download_pct")
bp.add_app_template_global(views.whole, "download_whole")
bp.add_app_template_global(views.can_change, "download_can_change")
bp.add_app_template_global(views.time_words, "download_time")
bp.add_app_template_global(views.size_words, "download_size")
bp.add_app_template_filter(views.status_words, "download_status")
bp.add_app_template_filter(views.status_tone, "download_tone")
bp.add_app_template_filter(views.kind_words, "download_kind")
bp.add_app_template_filter(lambda q: forms.QUALITY_WORDS.get(q, q), "download_quality")
bp.add_app_template_global(views.person_quota_line, "download_usage")
