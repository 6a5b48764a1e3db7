from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "diaodu.reviews"
    label = "reviews"
    verbose_name = "横比排名与季度点评"
