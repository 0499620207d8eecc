package dev.portolan.app.tests.plain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.Version;

import dev.portolan.app.internal.plain.TargetFilter;

/**
 * The plain runtime's own target filter gives the framework's answer ({@code FrameworkUtil.createFilter(f).matches})
 * for every filter and property type components use, and rejects what the framework rejects.
 */
class TargetFilterTest {

    private static Map<String, Object> properties() {
        Map<String, Object> p = new HashMap<>();
        p.put("registry.id", "local");
        p.put("component.name", "dev.portolan.registry.internal.LocalRegistryComponent");
        p.put("kind", "quick & exact");
        p.put("spaced", "  Hello   World ");
        p.put("paren", "a(b)c*d\\e");
        p.put("service.ranking", 10);
        p.put("long", 5_000_000_000L);
        p.put("short", (short) 7);
        p.put("byte", (byte) -3);
        p.put("double", 2.5d);
        p.put("float", 1.25f);
        p.put("flag", Boolean.TRUE);
        p.put("off", Boolean.FALSE);
        p.put("objectClass", new String[] {"dev.portolan.api.registry.Registry", "java.lang.Object"});
        p.put("ints", new int[] {1, 2, 3});
        p.put("list", List.of("alpha", "beta"));
        p.put("empty", "");
        return p;
    }

    private static final String[] FILTERS = {
        "(registry.id=local)", "(registry.id=etcd)", "( registry.id = local )", "(registry.id=local )",
        "(REGISTRY.ID=local)", "(missing=x)", "(missing=*)", "(registry.id=*)", "(empty=*)",
        "(component.name=dev.portolan.*)", "(component.name=*Component)", "(component.name=*.internal.*Local*)",
        "(component.name=*registry*registry*)", "(component.name=*registry*registry*registry*)",
        "(component.name=dev*Component)", "(component.name=dev*nope)", "(kind=quick & exact)",
        "(kind=quick*exact)", "(kind~=QUICK&EXACT)", "(spaced~=helloworld)", "(spaced=  Hello   World )",
        "(spaced>=  Hello)", "(spaced<=  Hello)", "(paren=a\\(b\\)c\\*d\\\\e)", "(paren=a\\(b*)", "(paren~=a\\(b\\)c*d\\\\e)",
        "(service.ranking=10)", "(service.ranking= 10 )", "(service.ranking>=5)", "(service.ranking<=5)",
        "(service.ranking~=10)", "(service.ranking=ten)", "(service.ranking=1*)", "(long=5000000000)",
        "(long>=4999999999)", "(long<=4999999999)", "(short=7)", "(short>=8)", "(byte=-3)", "(byte<=-4)",
        "(double=2.5)", "(double>=2.4)", "(double<=2.4)", "(double=2.50)", "(float=1.25)", "(float>=1.3)",
        "(flag=true)", "(flag=TRUE)", "(flag= true )", "(flag=false)", "(off=false)", "(flag=yes)", "(flag>=true)",
        "(objectClass=dev.portolan.api.registry.Registry)", "(objectClass=java.lang.Object)", "(objectClass=x)",
        "(objectClass=*Registry)", "(ints=2)", "(ints>=3)", "(ints=4)", "(list=beta)", "(list=gam*)",
        "(&(registry.id=local)(service.ranking>=10))", "(&(registry.id=local)(service.ranking>=11))",
        "(|(registry.id=etcd)(flag=true))", "(|(registry.id=etcd)(flag=false))", "(!(registry.id=etcd))",
        "(!(registry.id=local))", "(&(|(a=1)(registry.id=local))(!(missing=*))(objectClass=*))",
        " (registry.id=local) ", "(&(registry.id=local) (kind=quick*))",
    };

    @Test
    void givesTheFrameworksAnswerForEveryFilterAndPropertyType() throws InvalidSyntaxException {
        Map<String, Object> props = properties();
        List<String> differing = new ArrayList<>();
        int matched = 0;
        for (String f : FILTERS) {
            boolean expected = FrameworkUtil.createFilter(f).matches(props);
            if (TargetFilter.matches(f, props) != expected) {
                differing.add(f + " (framework: " + expected + ")");
            }
            matched += expected ? 1 : 0;
        }
        assertEquals(List.of(), differing);
        assertTrue(matched > 20 && matched < FILTERS.length - 20, "both outcomes are exercised: " + matched);
        assertTrue(TargetFilter.matches("(registry.id=local)", props));
        assertFalse(TargetFilter.matches("(registry.id=etcd)", props));
    }

    @Test
    void otherPropertyTypesGetTheFrameworksAnswerToo() throws InvalidSyntaxException {
        Map<String, Object> props = Map.of("version", new Version(1, 2, 3), "char", 'x');
        for (String f : new String[] {"(version>=1.2)", "(version>=1.3)", "(version=1.2.3)", "(char=x)", "(char=y)"}) {
            assertEquals(FrameworkUtil.createFilter(f).matches(props), TargetFilter.matches(f, props), f);
        }
        assertTrue(TargetFilter.matches("(version>=1.2)", props));
    }

    @Test
    void edgeCasesEitherFailInBothOrMatchAlike() {
        Map<String, Object> props = Map.of("a", "xbyc", "e", "");
        for (String f : new String[] {"(a=)", "(e=)", "(e=*)", "(a=* )", "(a=*\\ )", "(a= *)", "(a~=)", "(a>=)",
            "(a=**)", "(a=*b**c*)", "(a=x*y*c)", "(a=*)", "(a~=*)",
            "(a>=*)", "(!(a=x))", "(|(a=1))"}) {
            Boolean framework;
            try {
                framework = FrameworkUtil.createFilter(f).matches(props);
            } catch (InvalidSyntaxException e) {
                framework = null;
            }
            Boolean ours;
            try {
                ours = TargetFilter.matches(f, props);
            } catch (IllegalArgumentException e) {
                ours = null;
            }
            assertEquals(framework, ours, f);
        }
    }

    @Test
    void rejectsWhatTheFrameworkRejects() {
        for (String f : new String[] {"", "registry.id=local", "(registry.id=local", "(=local)", "(registry.id)",
            "(&)", "(registry.id=local))", "(a=b(c)", "(a=\\", "(a>x)", "(a<>x)"}) {
            assertThrows(InvalidSyntaxException.class, () -> FrameworkUtil.createFilter(f), f);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TargetFilter.matches(f, Map.of("a", "b")), f);
            assertTrue(e.getMessage().contains("invalid target filter '" + f + "'"), e.getMessage());
        }
    }
}
