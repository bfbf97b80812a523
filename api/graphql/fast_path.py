"""A compiled fast path for plain-data queries: it projects the root value along a cached plan
instead of running graphql-core's executor, and declines (graphql-core answers) on anything else.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GRAPHQL_MAX_INT,
    GRAPHQL_MIN_INT,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLBoolean,
    GraphQLField,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLString,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Undefined,
    VariableNode,
    get_operation_ast,
    is_leaf_type,
    is_object_type,
    is_scalar_type,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.execution.collect_fields import (
    FieldDetailsList,
    FragmentDetails,
    collect_fields,
    collect_subfields,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

# A plain function that answers one root field: (context, **arguments by python name) -> value.
RootAnswer = Callable[..., Awaitable[Any]]
# Turns a field's python value (or, for an object's field, the parent object) into JSON data.
Complete = Callable[[Any], Any]

CONDITIONS = frozenset({"skip", "include"})
MAX_DOCUMENTS = 512  # as many as the parser and validation caches hold
MAX_PLANS_PER_DOCUMENT = 16  # one per combination of @skip/@include variable values


class DeclinedError(Exception):
    """This request is not one the fast path can answer exactly as graphql-core would."""


@dataclass(frozen=True)
class Root:
    """One root field of the plan: how to coerce its arguments, whom to ask, how to project."""

    key: str
    node: FieldNode
    definition: GraphQLField
    python_names: dict[str, str]  # GraphQL argument name -> the plain function's parameter
    answer: RootAnswer
    complete: Complete


@dataclass(frozen=True)
class Plan:
    roots: tuple[Root | tuple[str, str], ...]  # a (key, type name) pair is a `__typename`


@dataclass
class DocumentPlans:
    """What is fixed per (document, operation); plans keyed by the @skip/@include values."""

    operation: OperationDefinitionNode
    fragments: dict[str, FragmentDetails]
    conditions: tuple[str, ...]  # the variables @skip/@include read
    plans: dict[tuple[Any, ...], Plan | None] = field(default_factory=dict)


@dataclass
class FastPath:
    """The plan cache and its counters; one per schema (see `build_schema`)."""

    roots: dict[Callable[..., Any], RootAnswer]  # strawberry resolver -> the plain function
    answered: int = 0
    declined: int = 0
    documents: OrderedDict[tuple[str, str | None], DocumentPlans | None] = field(
        default_factory=OrderedDict
    )

    async def answer(self, execution: ExecutionContext) -> dict[str, Any] | None:
        """The response data, or None to let graphql-core execute (nothing was written)."""
        try:
            data = await self._answer(execution)
        except Exception:  # any surprise is graphql-core's to answer and report
            data = None
        if data is None:
            self.declined += 1
        else:
            self.answered += 1
        return data

    async def answer_prepared(
        self,
        schema: GraphQLSchema,
        query: str,
        operation_name: str | None,
        variables: dict[str, Any] | None,
        context: Any,
    ) -> dict[str, Any] | None:
        """The response data for a document this fast path has already answered through
        strawberry, or None (nothing was written; strawberry executes, and counts, it).

        A document is only known here once strawberry parsed and validated it (the extension
        runs after both), and parsing, the token limit and validation depend on the text
        alone, so they are not repeated: this skips strawberry's per-request pipeline, whose
        other extensions (see `build_schema`) only parse and validate. Variables are coerced
        and @skip/@include read per request as before; a plan not compiled yet declines."""
        key = (query, operation_name)
        document = self.documents.get(key)
        if document is None:
            return None
        self.documents.move_to_end(key)
        try:
            coerced = _coerce_variables(schema, document, variables)
            plan = None if coerced is None else document.plans.get(_conditions(document, coerced))
            if coerced is None or plan is None:
                return None
            data = await _run(plan, coerced, context)
        except Exception:  # any surprise is graphql-core's to answer and report
            return None
        self.answered += 1
        return data

    async def _answer(self, execution: ExecutionContext) -> dict[str, Any] | None:
        if execution.query is None or execution.graphql_document is None:
            return None
        document = self._document(execution)
        if document is None:
            return None
        variables = _coerce_variables(execution.schema._schema, document, execution.variables)
        if variables is None:
            return None
        plan = self._plan(execution, document, variables)
        if plan is None:
            return None
        return await _run(plan, variables, execution.context)

    def _document(self, execution: ExecutionContext) -> DocumentPlans | None:
        assert execution.query is not None and execution.graphql_document is not None
        # Keyed by the operation name as the request gave it (None for a document's only
        # operation), so that `answer_prepared` finds it without parsing the text.
        provided = getattr(execution, "_provided_operation_name", execution.operation_name)
        key = (execution.query, provided)
        if key in self.documents:
            self.documents.move_to_end(key)
            return self.documents[key]
        found = _analyse(execution.graphql_document, execution.operation_name)
        self.documents[key] = found
        if len(self.documents) > MAX_DOCUMENTS:
            self.documents.popitem(last=False)
        return found

    def _plan(
        self, execution: ExecutionContext, document: DocumentPlans, variables: VariableValues
    ) -> Plan | None:
        conditions = _conditions(document, variables)
        if conditions in document.plans:
            return document.plans[conditions]
        try:
            plan: Plan | None = _Compiler(execution.schema, self.roots, document, variables).plan()
        except DeclinedError:
            plan = None
        if len(document.plans) >= MAX_PLANS_PER_DOCUMENT:
            document.plans.clear()
        document.plans[conditions] = plan
        return plan


def _coerce_variables(
    schema: GraphQLSchema, document: DocumentPlans, values: dict[str, Any] | None
) -> VariableValues | None:
    """The request's variables coerced as graphql-core does; None on coercion errors, which
    graphql-core reports."""
    definitions = document.operation.variable_definitions or ()
    variables = get_variable_values(schema, definitions, values or {})
    return None if isinstance(variables, list) else variables


def _conditions(document: DocumentPlans, variables: VariableValues) -> tuple[Any, ...]:
    """The values of the variables @skip/@include read: which of a document's plans applies."""
    return tuple(variables.coerced.get(name) for name in document.conditions)


async def _run(plan: Plan, variables: VariableValues, context: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for root in plan.roots:
        if isinstance(root, tuple):
            data[root[0]] = root[1]
            continue
        arguments = get_argument_values(root.definition, root.node, variables)
        named = {root.python_names[k]: v for k, v in arguments.items()}
        value = await root.answer(context, **named)
        data[root.key] = root.complete(value)
    return data


class FastPathExtension(SchemaExtension):
    """Answers before graphql-core executes: strawberry skips execution when a result is set."""

    def __init__(self, fast_path: FastPath) -> None:
        self.fast_path = fast_path

    async def on_execute(self) -> AsyncIterator[None]:
        data = await self.fast_path.answer(self.execution_context)
        if data is not None:
            self.execution_context.result = GraphQLExecutionResult(data=data)
        yield


# --- analysis per document -------------------------------------------------------------------


def _analyse(document: DocumentNode, operation_name: str | None) -> DocumentPlans | None:
    """A single query operation whose only directives are @skip/@include; None otherwise."""
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is not OperationType.QUERY or operation.directives:
        return None
    fragments: dict[str, FragmentDetails] = {}
    conditions: dict[str, None] = {}  # ordered set
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            if definition.variable_definitions:  # experimental fragment arguments
                return None
            fragments[definition.name.value] = FragmentDetails(definition)
            if not _read_conditions(definition.selection_set, conditions):
                return None
    if not _read_conditions(operation.selection_set, conditions):
        return None
    return DocumentPlans(operation, fragments, tuple(conditions))


def _read_conditions(selection_set: SelectionSetNode | None, found: dict[str, None]) -> bool:
    """Collect the variables of @skip/@include; False when any other directive appears
    (@defer, @stream, or one a later schema adds), since only those two are planned for."""
    for selection in selection_set.selections if selection_set else ():
        if getattr(selection, "arguments", None) and not isinstance(selection, FieldNode):
            return False  # a fragment spread with arguments
        for directive in selection.directives or ():
            if directive.name.value not in CONDITIONS:
                return False
            for argument in directive.arguments or ():
                if isinstance(argument.value, VariableNode):
                    found[argument.value.name.value] = None
        if isinstance(selection, FieldNode | InlineFragmentNode) and not _read_conditions(
            selection.selection_set, found
        ):
            return False
    return True


# --- compiling a plan ----------------------------------------------------------------------


class _Compiler:
    """Builds a plan with graphql-core's own field collection, so merging of repeated keys,
    fragments and @skip/@include behave exactly as in execution; raises DeclinedError otherwise."""

    def __init__(
        self,
        schema: Any,  # strawberry.Schema: typed loosely, it is only read
        roots: dict[Callable[..., Any], RootAnswer],
        document: DocumentPlans,
        variables: VariableValues,
    ) -> None:
        self.schema = schema
        self.graphql: GraphQLSchema = schema._schema
        self.roots = roots
        self.document = document
        self.variables = variables
        if schema.config.default_resolver is not getattr:
            raise DeclinedError("a custom default resolver")
        if any(extension._implements_resolve() for extension in schema.get_extensions()):
            raise DeclinedError("an extension wraps every resolver")

    def plan(self) -> Plan:
        query = self.graphql.query_type
        assert query is not None
        collected = collect_fields(
            self.graphql, self.document.fragments, self.variables, query, self.document.operation
        )
        if collected.new_defer_usages or collected.forbidden_directive_instances:
            raise DeclinedError("deferred or forbidden selections")
        roots: list[Root | tuple[str, str]] = []
        for key, details in collected.grouped_field_set.items():
            node = details[0].node
            if node.name.value == "__typename":
                roots.append((key, query.name))
            else:
                roots.append(self._root(query, key, details))
        return Plan(tuple(roots))

    def _root(self, query: GraphQLObjectType, key: str, details: FieldDetailsList) -> Root:
        node = details[0].node
        definition = query.fields.get(node.name.value)
        strawberry_field = self.schema.get_field_for_type(node.name.value, query.name)
        if definition is None or strawberry_field is None or strawberry_field.extensions:
            raise DeclinedError(f"root field {node.name.value}")  # e.g. __schema, __type
        resolver = strawberry_field.base_resolver
        answer = self.roots.get(resolver.wrapped_func) if resolver else None
        if answer is None:
            raise DeclinedError(f"root field {node.name.value} has no plain answer")
        python_names: dict[str, str] = {}
        for argument in strawberry_field.arguments:
            graphql_name = self.schema.config.name_converter.get_graphql_name(argument)
            if not is_scalar_type(_named(definition.args[graphql_name].type)) or isinstance(
                _nullable(definition.args[graphql_name].type), GraphQLList
            ):
                raise DeclinedError("only scalar arguments are passed through unconverted")
            python_names[graphql_name] = argument.python_name
        complete = self._value(definition.type, details)
        return Root(key, node, definition, python_names, answer, complete)

    def _value(self, type_: GraphQLOutputType, details: FieldDetailsList) -> Complete:
        """Completion of one value of `type_`, as graphql-core's complete_value does it."""
        if isinstance(type_, GraphQLNonNull):
            inner = self._value(type_.of_type, details)

            def non_null(value: Any) -> Any:
                completed = inner(value)
                if completed is None:
                    raise DeclinedError("null in a non-null field: graphql-core reports it")
                return completed

            return non_null
        if isinstance(type_, GraphQLList):
            item = self._value(type_.of_type, details)

            def list_of(value: Any) -> Any:
                if value is None or value is Undefined:
                    return None
                if not isinstance(value, list | tuple):
                    raise DeclinedError("not a list")
                return [item(element) for element in value]

            return list_of
        if is_leaf_type(type_):
            return _leaf(type_)
        if is_object_type(type_) and not type_.is_type_of:
            return self._object(type_, details)
        raise DeclinedError(f"{type_} is abstract or checks its runtime type")

    def _object(self, type_: GraphQLObjectType, details: FieldDetailsList) -> Complete:
        collected = collect_subfields(
            self.graphql, self.document.fragments, self.variables, self.document.operation,
            type_, details,
        )  # fmt: skip
        if collected.new_defer_usages or collected.forbidden_directive_instances:
            raise DeclinedError("deferred selections")
        fields = tuple(
            (key, self._field(type_, sub_details))
            for key, sub_details in collected.grouped_field_set.items()
        )

        def project(value: Any) -> Any:
            if value is None or value is Undefined:
                return None
            if isinstance(value, Exception):
                raise DeclinedError("an error as a value")
            return {key: read(value) for key, read in fields}

        return project

    def _field(self, parent: GraphQLObjectType, details: FieldDetailsList) -> Complete:
        """Reads one field from the parent object and completes it."""
        node = details[0].node
        name = node.name.value
        if name == "__typename":
            type_name = parent.name
            return lambda _parent: type_name
        definition = parent.fields.get(name)
        strawberry_field = self.schema.get_field_for_type(name, parent.name)
        if (
            definition is None
            or strawberry_field is None
            or not strawberry_field.is_basic_field  # a resolver or field extensions
            or strawberry_field.base_resolver is not None
            or not getattr(definition.resolve, "_is_default", False)  # e.g. exception handlers
            or definition.args
        ):
            raise DeclinedError(f"{parent.name}.{name} is not plain data")
        attribute = strawberry_field.python_name
        nullable = _nullable(definition.type)
        if is_leaf_type(nullable):  # most fields: read and coerce in one call
            return _leaf(nullable, attribute, nullable is definition.type)
        complete = self._value(definition.type, details)
        return lambda parent_value: complete(getattr(parent_value, attribute))


def _leaf(type_: GraphQLLeafType, attribute: str | None = None, nullable: bool = True) -> Complete:
    """Coerces a scalar or enum as the schema does (Decimal, date, datetime are strawberry's);
    with an attribute, reads it from the parent first."""
    coerce = type_.coerce_output_value
    native = _UNCHANGED.get(type_)

    def leaf(value: Any) -> Any:
        if attribute is not None:
            value = getattr(value, attribute)
        kind = type(value)
        if kind is native and (kind is not int or GRAPHQL_MIN_INT <= value <= GRAPHQL_MAX_INT):
            return value  # what `coerce` would return, without the call
        if value is None or value is Undefined:
            if nullable:
                return None
            raise DeclinedError("null in a non-null field: graphql-core reports it")
        if isinstance(value, Exception):
            raise DeclinedError("an error as a value")
        coerced = coerce(value)
        if coerced is None or coerced is Undefined:
            raise DeclinedError("a leaf that does not serialize: graphql-core reports it")
        return coerced

    return leaf


# Built-in scalars that coerce a value of exactly this python type to itself (Int: in range).
_UNCHANGED: dict[GraphQLLeafType, type] = {
    GraphQLString: str,
    GraphQLBoolean: bool,
    GraphQLInt: int,
}


def _nullable(type_: Any) -> Any:
    return type_.of_type if isinstance(type_, GraphQLNonNull) else type_


def _named(type_: Any) -> Any:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return type_
