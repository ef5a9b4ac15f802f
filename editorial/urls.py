from django.urls import path

from . import print_views, views
from .feeds import LatestIssuesFeed
from .sitemaps import cached_sitemap

app_name = "editorial"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("issues/", views.IssueArchiveView.as_view(), name="issue-list"),
    path("issues/<int:number>/", views.IssueDetailView.as_view(), name="issue-detail"),
    path("issues/<int:number>/print/", print_views.IssuePrintView.as_view(), name="issue-print"),
    path("issues/<int:number>.pdf", print_views.IssuePdfView.as_view(), name="issue-pdf"),
    path("issues/<int:number>.docx", print_views.IssueDocxView.as_view(), name="issue-docx"),
    path("articles/<int:pk>/", views.ArticleDetailView.as_view(), name="article-detail"),
    path("regions/<slug:slug>/", views.RegionDetailView.as_view(), name="region-detail"),
    path("sections/<slug:slug>/", views.SectionDetailView.as_view(), name="section-detail"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("feed/", LatestIssuesFeed(), name="feed"),
    path("subscribe/", views.SubscribeView.as_view(), name="subscribe"),
    path("sitemap.xml", cached_sitemap, name="sitemap"),
]
