"""Factories for courses, lessons and quiz banks."""

from decimal import Decimal

import factory

from courses.models import (
    Choice,
    Course,
    CourseAssignment,
    Lesson,
    Module,
    Question,
    Quiz,
)


class CourseFactory(factory.django.DjangoModelFactory[Course]):
    class Meta:
        model = Course

    title = factory.Sequence(lambda n: f"Course {n}")
    slug = factory.Sequence(lambda n: f"course-{n}")
    cpd_hours = Decimal("2.0")


class ModuleFactory(factory.django.DjangoModelFactory[Module]):
    class Meta:
        model = Module

    course = factory.SubFactory(CourseFactory)
    title = factory.Sequence(lambda n: f"Module {n}")


class LessonFactory(factory.django.DjangoModelFactory[Lesson]):
    class Meta:
        model = Lesson

    module = factory.SubFactory(ModuleFactory)
    title = factory.Sequence(lambda n: f"Lesson {n}")
    body = "Give **oxytocin** 10 IU IM."
    order = factory.Sequence(int)


class QuizFactory(factory.django.DjangoModelFactory[Quiz]):
    class Meta:
        model = Quiz

    course = factory.SubFactory(CourseFactory)
    title = factory.Sequence(lambda n: f"Quiz {n}")
    kind = "practice"


class QuestionFactory(factory.django.DjangoModelFactory[Question]):
    class Meta:
        model = Question

    quiz = factory.SubFactory(QuizFactory)
    kind = "single"
    text = factory.Sequence(lambda n: f"Question {n}?")
    explanation = "Because the guideline says so."


def question_with(quiz, kind, options=(), answer=None, tolerance="0"):
    """A question with options given as (text, is_correct) pairs."""
    question = QuestionFactory(
        quiz=quiz,
        kind=kind,
        numeric_answer=Decimal(answer) if answer is not None else None,
        tolerance=Decimal(tolerance),
    )
    for text, ok in options:
        Choice.objects.create(question=question, text=text, is_correct=ok)
    return question


def course_for(cohort, lessons=2, **kwargs):
    """A course with one module of ``lessons`` lessons, assigned to ``cohort``."""
    course = CourseFactory(**kwargs)
    module = ModuleFactory(course=course)
    for _ in range(lessons):
        LessonFactory(module=module)
    CourseAssignment.objects.create(cohort=cohort, course=course)
    return course
