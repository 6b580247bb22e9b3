package org.emaillistener.common.testing;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Predicate;

import org.w3c.dom.Element;

/**
 * The Restriction and SortOrder of FindItem and FindFolder over the properties the fake stores.
 * A restriction on a property an item lacks does not match, as in Exchange.
 */
final class EwsRestriction {

    private static final String T = EwsXmlWriter.TYPES;

    private EwsRestriction() {
    }

    /** Thrown for a restriction the fake cannot evaluate; answered as Exchange's ErrorUnsupportedQueryFilter. */
    static final class Unsupported extends RuntimeException {
        Unsupported(String message) {
            super(message);
        }
    }

    static Predicate<Object> parse(Element restriction) {
        Element root = EwsDom.firstChild(restriction);
        return root == null ? anything -> true : node(root);
    }

    /** Items in SortOrder, or newest first as an Exchange folder's default view when there is none. */
    static Comparator<Object> sortOrder(Element sortOrder) {
        List<Element> orders = EwsDom.children(sortOrder, T, "FieldOrder");
        if (orders.isEmpty()) {
            return Comparator.comparing((Object item) -> (Instant) value(item, "item:DateTimeReceived"),
                    Comparator.nullsLast(Comparator.reverseOrder()));
        }
        Comparator<Object> comparator = (a, b) -> 0;
        for (Element order : orders) {
            String field = EwsDom.child(order, T, "FieldURI").getAttribute("FieldURI");
            Comparator<Object> byField = Comparator.comparing(item -> comparable(value(item, field)),
                    Comparator.nullsFirst(Comparator.naturalOrder()));
            comparator = comparator.thenComparing("Descending".equals(order.getAttribute("Order"))
                    ? byField.reversed() : byField);
        }
        return comparator;
    }

    private static Predicate<Object> node(Element element) {
        String name = element.getLocalName();
        return switch (name) {
            case "And" -> EwsDom.children(element).stream().map(EwsRestriction::node)
                    .reduce(anything -> true, Predicate::and);
            case "Or" -> EwsDom.children(element).stream().map(EwsRestriction::node)
                    .reduce(anything -> false, Predicate::or);
            case "Not" -> node(EwsDom.firstChild(element)).negate();
            case "Exists" -> target -> value(target, field(element)) != null;
            case "IsEqualTo", "IsNotEqualTo", "IsGreaterThan", "IsGreaterThanOrEqualTo", "IsLessThan",
                    "IsLessThanOrEqualTo" -> comparison(element, name);
            case "Contains" -> contains(element);
            default -> throw new Unsupported("restriction " + name);
        };
    }

    private static Predicate<Object> comparison(Element element, String operator) {
        String field = field(element);
        Element constant = EwsDom.child(EwsDom.child(element, T, "FieldURIOrConstant"), T, "Constant");
        if (constant == null) {
            throw new Unsupported("comparison of two properties");
        }
        String literal = constant.getAttribute("Value");
        return target -> {
            Object actual = value(target, field);
            if (actual == null) {
                return "IsNotEqualTo".equals(operator);
            }
            int order = compare(actual, literal);
            return switch (operator) {
                case "IsEqualTo" -> order == 0;
                case "IsNotEqualTo" -> order != 0;
                case "IsGreaterThan" -> order > 0;
                case "IsGreaterThanOrEqualTo" -> order >= 0;
                case "IsLessThan" -> order < 0;
                default -> order <= 0;
            };
        };
    }

    private static Predicate<Object> contains(Element element) {
        String field = field(element);
        String literal = EwsDom.child(element, T, "Constant").getAttribute("Value");
        String mode = element.getAttribute("ContainmentMode");
        boolean ignoreCase = element.getAttribute("ContainmentComparison").contains("IgnoreCase");
        return target -> {
            Object actual = value(target, field);
            if (actual == null) {
                return false;
            }
            String haystack = ignoreCase ? actual.toString().toLowerCase(Locale.ROOT) : actual.toString();
            String needle = ignoreCase ? literal.toLowerCase(Locale.ROOT) : literal;
            return switch (mode) {
                case "FullString" -> haystack.equals(needle);
                case "Prefixed" -> haystack.startsWith(needle);
                default -> haystack.contains(needle);
            };
        };
    }

    private static String field(Element element) {
        Element fieldUri = EwsDom.child(element, T, "FieldURI");
        if (fieldUri == null) {
            throw new Unsupported("restriction without a FieldURI");
        }
        return fieldUri.getAttribute("FieldURI");
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compare(Object actual, String literal) {
        Comparable parsed = switch (actual) {
            case Instant ignored -> parseDateTime(literal);
            case Long ignored -> Long.valueOf(literal);
            case Boolean ignored -> Boolean.valueOf(literal);
            default -> literal;
        };
        if (actual instanceof String text) {
            return text.compareToIgnoreCase(literal);
        }
        return ((Comparable) actual).compareTo(parsed);
    }

    private static Instant parseDateTime(String literal) {
        try {
            return Instant.parse(literal);
        } catch (RuntimeException e) {
            return OffsetDateTime.parse(literal).toInstant();
        }
    }

    @SuppressWarnings("rawtypes")
    private static Comparable comparable(Object value) {
        return value instanceof String text ? text.toLowerCase(Locale.ROOT) : (Comparable) value;
    }

    /** A stored property by its FieldURI, typed for comparison. */
    static Object value(Object target, String fieldUri) {
        if (target instanceof FakeMailboxStore.Item item) {
            return switch (fieldUri) {
                case "item:DateTimeReceived", "item:DateTimeCreated" -> item.received;
                case "item:DateTimeSent" -> item.sent != null ? item.sent : item.received;
                case "item:Subject" -> item.subject;
                case "item:Size" -> (long) item.mime.length;
                case "item:ItemClass" -> "IPM.Note";
                case "item:HasAttachments" -> item.hasAttachments;
                case "message:InternetMessageId" -> item.internetMessageId;
                case "message:IsRead" -> item.read;
                case "item:Categories" -> item.categories.isEmpty() ? null : String.join(";", item.categories);
                default -> throw new Unsupported("property " + fieldUri);
            };
        }
        FakeMailboxStore.Folder folder = (FakeMailboxStore.Folder) Objects.requireNonNull(target);
        return switch (fieldUri) {
            case "folder:FolderClass" -> folder.folderClass;
            case "folder:DisplayName" -> folder.displayName;
            case "folder:ChildFolderCount" -> (long) folder.children.size();
            case "folder:TotalCount" -> (long) folder.items().size();
            default -> throw new Unsupported("property " + fieldUri);
        };
    }
}
