"""Courses, lessons, quizzes, progress and certificates."""

from courses.models.course import Course, CourseAssignment, Lesson, Module
from courses.models.progress import Certificate, LessonProgress
from courses.models.quiz import (
    Answer,
    Attempt,
    Choice,
    Question,
    QuestionKind,
    Quiz,
    QuizKind,
)
from courses.models.session import Attendance, Session
from courses.models.survey import (
    Survey,
    SurveyAnswer,
    SurveyItem,
    SurveyItemKind,
    SurveyResponded,
    SurveyResponse,
)
from courses.models.translation import (
    ChoiceTranslation,
    CourseTranslation,
    LessonTranslation,
    ModuleTranslation,
    QuestionTranslation,
    QuizTranslation,
)

__all__ = [
    "Answer",
    "Attendance",
    "Attempt",
    "Certificate",
    "Choice",
    "ChoiceTranslation",
    "CourseTranslation",
    "LessonTranslation",
    "ModuleTranslation",
    "QuestionTranslation",
    "QuizTranslation",
    "Course",
    "CourseAssignment",
    "Lesson",
    "LessonProgress",
    "Module",
    "Question",
    "QuestionKind",
    "Quiz",
    "QuizKind",
    "Session",
    "Survey",
    "SurveyAnswer",
    "SurveyItem",
    "SurveyItemKind",
    "SurveyResponded",
    "SurveyResponse",
]
